"""How many kernels the pages hold, per client and in all: counted before a page gets one.

Every app and exercise page runs on a kernel of its own (about 130 MB). A page GET takes a
preheated kernel from its notebook's pool (the pool then starts a replacement) or starts one;
the kernel is released when the page closes (the page script asks the server to shut it down)
or when the culler stops it (idle, or never connected to: see
:class:`apps.serve_config.PoolAwareKernelManager`). So "a client's kernels" are the kernels
its page GETs took that are still running; kernels waiting in a pool belong to no one and are
not counted (the pools' sizes are configured and bounded).

A client is named by one or more keys (see :func:`apps.server.make_app_class`): its browser's
signed cookie, and, for a request that came without one, its network address too; a kernel
counts for every key it was given under. A script that keeps the cookie is one client; one
that drops it is held to the limit of its address.

:class:`KernelLedger` keeps the count. The app server reserves a place before it lets Voila
render (concurrent GETs cannot all slip past the check), and the kernel manager's
``start_kernel`` and ``get_rendered_notebook`` are wrapped (:func:`attach`) to record which
kernel the reservation got: the reservation travels with the request through a context
variable, so kernels a pool starts for itself are never counted for a client.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CURRENT", "KernelLedger", "Refusal", "Reservation", "attach"]


@dataclass(eq=False)
class Reservation:
    """A place for one kernel, held by a page GET until its kernel is known."""

    keys: tuple[str, ...]
    kernel_id: str | None = None
    open: bool = field(default=True)


@dataclass(frozen=True)
class Refusal:
    """Why a page gets no kernel: ``"client"`` (its own limit) or ``"server"`` (all in use);
    ``held``: the kernels the client holds."""

    reason: str
    held: int


#: The reservation of the page GET being served (set by the app server's render handler).
CURRENT: contextvars.ContextVar[Reservation | None] = contextvars.ContextVar(
    "igm_kernel_reservation", default=None
)


class KernelLedger:
    """Kernels held by clients, and places reserved for kernels about to be taken."""

    def __init__(self, max_kernels: int, max_per_client: int) -> None:
        self.max_kernels = max_kernels
        self.max_per_client = max_per_client
        #: kernel id -> the keys of the client that holds it
        self.owners: dict[str, tuple[str, ...]] = {}
        self.pending: list[Reservation] = []

    def forget_stopped(self, running: Collection[str]) -> None:
        """Drop the kernels that no longer run (their page closed, or they were culled)."""
        for kernel_id in [k for k in self.owners if k not in running]:
            del self.owners[kernel_id]

    def held(self, keys: Collection[str]) -> int:
        """Kernels (and reserved places) of the client known by any of ``keys``."""
        mine = set(keys)
        owned = sum(1 for owner in self.owners.values() if mine.intersection(owner))
        return owned + sum(1 for r in self.pending if mine.intersection(r.keys))

    def total(self) -> int:
        return len(self.owners) + len(self.pending)

    def reserve(self, keys: tuple[str, ...], running: Collection[str]) -> Reservation | Refusal:
        """A place for one more kernel of the client ``keys``, or why there is none."""
        self.forget_stopped(running)
        held = self.held(keys)
        if held >= self.max_per_client:
            return Refusal("client", held)
        if self.total() >= self.max_kernels:
            return Refusal("server", held)
        reservation = Reservation(keys)
        self.pending.append(reservation)
        return reservation

    def assign(self, reservation: Reservation, kernel_id: str) -> None:
        """The reserved place is now ``kernel_id``."""
        if not reservation.open:
            return
        self.release(reservation)
        reservation.kernel_id = kernel_id
        self.owners[kernel_id] = reservation.keys

    def release(self, reservation: Reservation) -> None:
        """Give up a place that got no kernel (the request ended or failed)."""
        if reservation.open:
            reservation.open = False
            self.pending = [r for r in self.pending if r is not reservation]


def _recording(
    original: Callable[..., Any], ledger: KernelLedger, kernel_of: Callable[[Any], str]
) -> Callable[..., Any]:
    """``original`` (a kernel manager method), telling ``ledger`` which kernel the current
    request's reservation got."""

    async def recorded(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        reservation = CURRENT.get()
        if reservation is not None:
            ledger.assign(reservation, kernel_of(result))
        return result

    return recorded


def attach(kernel_manager: Any, ledger: KernelLedger) -> None:
    """Count the kernels that page GETs take from ``kernel_manager`` in ``ledger``.

    Only this instance's methods are wrapped: the pools start their kernels through the
    class (``super().start_kernel``), which stays unwrapped.
    """
    kernel_manager.start_kernel = _recording(kernel_manager.start_kernel, ledger, str)
    if hasattr(kernel_manager, "get_rendered_notebook"):  # a server with preheated pools
        kernel_manager.get_rendered_notebook = _recording(
            kernel_manager.get_rendered_notebook, ledger, lambda result: str(result[2])
        )
