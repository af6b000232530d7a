"""Service address allocation: cluster IPs from the service CIDR and node ports.

Like the API server's allocators, a small static band at the bottom of each range is left
for addresses users request explicitly (``clusterIP: 10.96.0.10``); automatic allocation
draws from the rest first. Choices come from the cluster's seeded RNG, so they are
deterministic. The allocator holds no state of its own worth persisting: it is rebuilt from
the stored Services when a cluster is loaded.
"""

from __future__ import annotations

import ipaddress
import itertools
import random
from collections.abc import Mapping
from typing import Any

__all__ = ["ServiceAllocator", "AllocationError", "SERVICE_CIDR", "NODE_PORT_RANGE", "KUBERNETES_SERVICE_IP"]

SERVICE_CIDR = "10.96.0.0/12"
KUBERNETES_SERVICE_IP = "10.96.0.1"
NODE_PORT_RANGE = (30000, 32767)


class AllocationError(ValueError):
    """An address that cannot be allocated; the message is the API server's detail text."""


def _static_band(size: int, minimum: int, maximum: int, step: int) -> int:
    # apiserver calculateRangeOffset: size/step clamped to [minimum, maximum].
    return max(minimum, min(size // step, maximum))


class ServiceAllocator:
    """Allocates cluster IPs and node ports, remembering which are taken."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._network = ipaddress.ip_network(SERVICE_CIDR)
        self._base = int(self._network.network_address)
        self._size = self._network.num_addresses
        self._ip_static = _static_band(self._size, 16, 256, 16)
        self._ips: set[int] = set()
        self._ports: set[int] = set()
        low, high = NODE_PORT_RANGE
        self._port_static = _static_band(high - low + 1, 16, 128, 32)

    # -- cluster IPs --

    def allocate_ip(self, requested: str | None = None) -> str:
        """Reserve ``requested`` or pick a free address.

        Raises:
            AllocationError: the address is outside the range, taken, or the range is full.
        """
        if requested:
            try:
                address = ipaddress.ip_address(requested)
            except ValueError:
                raise AllocationError(f"failed to allocate IP {requested}: must be a valid IP address") from None
            offset = int(address) - self._base
            if address not in self._network or offset in (0, self._size - 1):
                raise AllocationError(
                    f"failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range. "
                    f"The range of valid IPs is {SERVICE_CIDR}")
            if offset in self._ips:
                raise AllocationError(f"failed to allocate IP {requested}: provided IP is already allocated")
            self._ips.add(offset)
            return requested
        picked = self._pick(self._ips, self._ip_static, self._size - 1, first=1)
        if picked is None:
            raise AllocationError("failed to allocate a serviceIP: range is full")
        self._ips.add(picked)
        return str(ipaddress.ip_address(self._base + picked))

    def release_ip(self, ip: str | None) -> None:
        """Return an address to the pool (ignores None, "None" and foreign addresses)."""
        if not ip or ip == "None":
            return
        try:
            self._ips.discard(int(ipaddress.ip_address(ip)) - self._base)
        except ValueError:
            pass

    # -- node ports --

    def allocate_node_port(self, requested: int | None = None) -> int:
        """Reserve ``requested`` or pick a free node port.

        Raises:
            AllocationError: outside 30000-32767, already taken, or none left.
        """
        low, high = NODE_PORT_RANGE
        if requested:
            if not low <= requested <= high:
                raise AllocationError(
                    f"provided port is not in the valid range. The range of valid ports is {low}-{high}")
            if requested - low in self._ports:
                raise AllocationError("provided port is already allocated")
            self._ports.add(requested - low)
            return requested
        offset = self._pick(self._ports, self._port_static, high - low + 1, first=0)
        if offset is None:
            raise AllocationError("range is full")
        self._ports.add(offset)
        return low + offset

    def release_node_port(self, port: int | None) -> None:
        """Return a node port to the pool (ignores None)."""
        if port:
            self._ports.discard(port - NODE_PORT_RANGE[0])

    # -- bookkeeping --

    def reserve(self, service: Mapping[str, Any]) -> None:
        """Mark a stored Service's addresses as taken (used when loading a cluster)."""
        spec = service.get("spec") or {}
        for ip in spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []):
            if ip and ip != "None":
                self._ips.add(int(ipaddress.ip_address(ip)) - self._base)
        for port in _node_ports(spec):
            self._ports.add(port - NODE_PORT_RANGE[0])

    def release(self, service: Mapping[str, Any]) -> None:
        """Free everything a deleted Service held."""
        spec = service.get("spec") or {}
        for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
            self.release_ip(ip)
        for port in _node_ports(spec):
            self.release_node_port(port)

    def _pick(self, used: set[int], static: int, end: int, *, first: int) -> int | None:
        # Random probes in the dynamic band, then a scan of everything (the band may be full).
        lo = max(static, first)
        if lo < end:
            for _ in range(32):
                candidate = self._rng.randrange(lo, end)
                if candidate not in used:
                    return candidate
        for candidate in itertools.chain(range(lo, end), range(first, lo)):
            if candidate not in used:
                return candidate
        return None


def _node_ports(spec: Mapping[str, Any]) -> list[int]:
    ports = [p.get("nodePort") for p in spec.get("ports") or [] if isinstance(p, dict)]
    ports.append(spec.get("healthCheckNodePort"))
    return [p for p in ports if isinstance(p, int) and p]
