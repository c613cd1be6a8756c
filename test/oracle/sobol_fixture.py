#!/usr/bin/python3
"""Write test/fixtures/sobol-scipy.json: unscrambled Sobol points from SciPy, the oracle for
test/analysis-sobol-sequence.test.ts. Run with /usr/bin/python3 (Debian python3-scipy); the test reads
the committed fixture and needs no Python.
"""
import json, os
import scipy
from scipy.stats import qmc

cases = []
for d, start, n in [(10, 0, 64), (120, 0, 16), (1000, 0, 4), (60, 1000, 8), (60, 65535, 3)]:
    eng = qmc.Sobol(d=d, scramble=False)  # bits = 30: points are k / 2^30, exact in binary64
    if start:
        eng.fast_forward(start)
    pts = eng.random(n)
    cases.append({"dimensions": d, "start": start, "points": pts.tolist()})
out = {"source": "scipy.stats.qmc.Sobol(d, scramble=False), SciPy %s (Joe-Kuo new-joe-kuo-6.21201)" % scipy.__version__,
       "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'sobol-scipy.json')
with open(path, 'w') as f:
    json.dump(out, f)
    f.write('\n')
