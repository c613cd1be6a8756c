/** The model's Web Worker: answers `WorkerRunner` requests with the library's in-thread runner. */

import { type MessageEndpoint, serveModelRunner } from '../../src/index.js';

serveModelRunner(self as unknown as MessageEndpoint);
