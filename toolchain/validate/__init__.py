"""`toolchain validate`: a firmware that returns every layer's output over the
harness, each compared with TFLite Micro's reference interpreter on the host
(exact for int8) and with the float model (SQNR); the first differing layer
is named. Results go to validate.json beside bench.json."""

from toolchain.validate.run import validate

__all__ = ["validate"]
