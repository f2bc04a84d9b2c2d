"""The package's public surface: every name in ``nrd.__all__`` resolves, and importing nrd stays cheap."""

import subprocess
import sys

import nrd


def test_every_public_name_resolves():
    for name in nrd.__all__:
        assert getattr(nrd, name) is not None, name


def test_unknown_attribute_is_an_attribute_error():
    try:
        nrd.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_import_nrd_does_not_import_pandas_or_papermill():
    code = "import sys, nrd; print(sorted(m for m in ('pandas', 'papermill', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
