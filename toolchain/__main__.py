"""Entry point: the single error boundary of the CLI."""

import os
import sys

# tfmot (pruning, QAT) only accepts tf_keras models; this must be set before
# TensorFlow is first imported anywhere in the process.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> int:
    from toolchain.cli import app
    from toolchain.cli.console import console
    from toolchain.errors import ToolchainError

    try:
        app()  # click's standalone mode prints usage errors itself and exits 2
    except ToolchainError as e:
        console.error(str(e))
        return e.exit_code
    except SystemExit as e:
        if e.code == 130:  # click turns Ctrl-C into exit 130
            console.error("interrupted; finished steps are kept, rerun the command to continue")
        return e.code if isinstance(e.code, int) else 1
    except Exception as e:  # noqa: BLE001 - the one place unexpected errors are reported
        import traceback

        traceback.print_exc()
        console.error(f"internal error: {e!r}. This is a bug in toolchain: please report it with the traceback above.")
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
