#!/usr/bin/env python3
"""Writes test/fixtures/eval/correlation-reference.json: SciPy's Kendall tau-b and Spearman rho on many
random (level, score) inputs full of ties, for test/unit/eval-metrics.test.ts to compare against.

Run from the repository root: python3 scripts/eval-correlation-reference.py
Needs numpy and scipy (written with scipy 1.17.1). The inputs come from a fixed seed, so a re-run with
the same SciPy writes the same file. Also prints the 3- and 5-level ceilings the README quotes.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy.stats import kendalltau, spearmanr

OUT = os.path.join('test', 'fixtures', 'eval', 'correlation-reference.json')


def number(v):
    v = float(v)
    return None if math.isnan(v) else v


def case(x, y):
    with warnings.catch_warnings():
        # A constant side gives nan (and a warning): recorded as null.
        warnings.simplefilter('ignore')
        tau = kendalltau(x, y, variant='b').statistic
        rho = spearmanr(x, y).statistic
    return {'x': [int(v) if float(v).is_integer() else float(v) for v in x],
            'y': [int(v) if float(v).is_integer() else float(v) for v in y],
            'tauB': number(tau), 'rho': number(rho)}


def main():
    rng = np.random.default_rng(20261128)
    cases = []
    for i in range(200):
        n = int(rng.integers(2, 70))
        levels = sorted(rng.choice([1, 2, 3, 4, 5], size=int(rng.integers(1, 6)), replace=False).tolist())
        x = rng.choice(levels, size=n)
        kind = i % 5
        if kind == 0:
            # Scores from a handful of values: heavy ties on both sides.
            y = rng.choice([10, 30, 50, 70, 90], size=n)
        elif kind == 1:
            # A judge that roughly follows the level, on a 5-point grid.
            y = np.clip(np.round((20 * x - 10 + rng.normal(0, 15, size=n)) / 5) * 5, 0, 100)
        elif kind == 2:
            # Whole scores 0..100, ties by chance only.
            y = rng.integers(0, 101, size=n)
        elif kind == 3:
            # Reversed order with ties.
            y = np.clip(100 - (20 * x - 10) + rng.integers(-10, 11, size=n), 0, 100)
        else:
            # Non-integer values on both sides (ranks must not care).
            x = rng.choice([0.5, 1.25, 2.0], size=n)
            y = np.round(rng.normal(50, 20, size=n), 1)
        cases.append(case(x, y))
    # Edge cases: a constant side, two samples, everything tied.
    cases.append(case([1, 1, 1, 1], [10, 20, 30, 40]))
    cases.append(case([1, 3, 5], [50, 50, 50]))
    cases.append(case([1, 5], [90, 10]))
    cases.append(case([2, 2], [7, 7]))

    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump({'generator': 'scripts/eval-correlation-reference.py', 'scipy': scipy.__version__, 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'{OUT}: {len(cases)} cases (scipy {scipy.__version__})', file=sys.stderr)

    # The ceilings: m samples at each of k levels and a perfect judge whose scores are all distinct and in
    # level order. The level ties the pairs within a level and the scores do not, so tau-b (for k = 3 it is sqrt(2m / (3m - 1)))
    # falls to sqrt(1 - 1/k) as m grows (0.8165 for k = 3), and rho to sqrt(1 - 1/k^2) (0.9428).
    for k in (3, 5):
        for m in (10, 100, 1000):
            x = np.repeat(np.arange(1, k + 1), m)
            y = np.arange(k * m)
            print(f'{k} levels x {m}: tau-b {kendalltau(x, y).statistic:.4f}, rho {spearmanr(x, y).statistic:.4f}', file=sys.stderr)
        print(f'{k} levels, limit: tau-b {math.sqrt(1 - 1 / k):.4f}, rho {math.sqrt(1 - 1 / k ** 2):.4f}', file=sys.stderr)


if __name__ == '__main__':
    main()
