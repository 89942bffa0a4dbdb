"""Pre-training: `engine.fit` (the one training loop), `methods/` (registry `METHODS`),
`losses.py`, `heads.py`, `queue.py`, `momentum.py` (shared MoCo pieces), `teachers/`.

Imports nothing heavy at package level, so `ssvzoo --help` stays fast.
"""
