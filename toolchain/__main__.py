"""Entry point: the single error boundary of the CLI."""

import os
import sys

# tfmot (pruning, QAT) only accepts tf_keras models; this must be set before
# TensorFlow is first imported anywhere in the process.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


INTERRUPTED = "interrupted; finished steps are kept, rerun the command to continue"


def main() -> int:
    import typer

    from toolchain.cli import app, hoist_verbosity
    from toolchain.console import console
    from toolchain.errors import ToolchainError

    # a bare `toolchain` is a request for help, not a usage error
    args = hoist_verbosity(sys.argv[1:]) or ["--help"]
    try:
        # not standalone: usage errors come back here and are printed like every other error
        result = app(args, prog_name="toolchain", standalone_mode=False)
        if result == 130:  # typer's answer to Ctrl-C
            console.error(INTERRUPTED)
        return result if isinstance(result, int) else 0
    except ToolchainError as e:
        console.error(str(e))
        return e.exit_code
    except typer.TyperException as e:  # click's usage errors (typer vendors click)
        ctx = getattr(e, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx else ""
        console.error(f"{e.format_message()}{where}")
        return getattr(e, "exit_code", 2)
    except typer.Exit as e:
        return e.exit_code
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    except (typer.Abort, KeyboardInterrupt):
        console.error(INTERRUPTED)
        return 130
    except Exception as e:  # noqa: BLE001 - the one place unexpected errors are reported
        import traceback

        traceback.print_exc()
        console.error(f"internal error: {e!r}. This is a bug in toolchain: please report it with the traceback above.")
        return 70


if __name__ == "__main__":
    sys.exit(main())
