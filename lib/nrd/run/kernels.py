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
