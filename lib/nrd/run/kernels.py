"""The Jupyter kernels nrd starts: IPC transport in a private folder, so nothing listens on TCP.

ipykernel warns "Kernel is running over TCP without encryption" for every TCP kernel; on this one machine a
kernel needs no network at all. IPC sockets live in a folder of their own (0700), removed when the kernel is
cleaned up. The warm engine builds its managers here; the standard engine gets the class as papermill's
``kernel_manager_class`` (nbclient's trait).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager


class IpcKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel talks over Unix sockets in a private temporary folder."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
        self._socket_dir = Path(tempfile.mkdtemp(prefix="nrd-kernel-"))
        self.ip = str(self._socket_dir / "kernel")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # the async manager's public name for the same step


def kernel_manager(kernel_name: str) -> IpcKernelManager:
    """A manager for one kernel of ``kernel_name`` over IPC."""
    return IpcKernelManager(kernel_name=kernel_name)


#: The kernel the report notebooks name (``Python (nrd)``), installed into the environment by ``make install``
#: (``python -m ipykernel install --sys-prefix --name nrd``) so JupyterLab never picks another environment.
KERNEL_NAME = "nrd"
KERNEL_DISPLAY_NAME = "Python (nrd)"
#: ipykernel's own kernel of the running interpreter, for an environment where nrd was pip-installed alone.
FALLBACK_KERNEL_NAME = "python3"


def report_kernel_name() -> str:
    """``nrd`` when its kernelspec is installed, else ``python3`` (so ``pip install nrd`` alone still runs)."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME if KERNEL_NAME in KernelSpecManager().find_kernel_specs() else FALLBACK_KERNEL_NAME
