"""Step 2: the optimization plan, prune -> distill -> quantize (+ QAT), each
step taking the previous one's model.

Imports: recipes, train and leaves."""

from toolchain.optimize.plan import Plan, run
