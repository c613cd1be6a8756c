#!/usr/bin/python3
"""Read a Crossroads `--experiments FILE.tar.gz` the way the EMA Workbench's load_results reads its
archives (experiments.csv with pandas; outcomes by the shapes in 'outcomes metadata.csv'), and print a
summary. Manual check of the layout (python3-pandas); the test suite does not need Python.
Usage: /usr/bin/python3 test/oracle/ema_roundtrip.py FILE.tar.gz
"""
import sys, tarfile
import numpy as np
import pandas as pd

with tarfile.open(sys.argv[1], 'r:gz') as z:
    experiments = pd.read_csv(z.extractfile('experiments.csv'))
    for line in z.extractfile('experiments metadata.csv').read().decode().splitlines():
        name, dtype = line.split(',')
        if np.dtype(dtype) == object:
            experiments[name] = experiments[name].astype('category')
    outcomes = {}
    for line in z.extractfile('outcomes metadata.csv').read().decode().splitlines():
        name, shape = line.split(',', 1)
        shape = tuple(int(s) for s in shape.strip('()').split(',') if s.strip())
        data = pd.read_csv(z.extractfile(name + '.csv'), header=None, index_col=False).values
        outcomes[name] = data.reshape(shape)
print(experiments.shape, list(experiments.columns[-3:]), dict(experiments['policy'].value_counts()))
for name, v in list(outcomes.items())[:3]:
    print(name, v.shape, float(v.mean()))
print(experiments.groupby('policy')['scenario'].count().to_dict())
