"""What a fresh simulated cluster contains, as a real one does after ``kubeadm init``:
the system namespaces, the ``kubernetes`` Service with its Endpoints and EndpointSlice,
system PriorityClasses, a default StorageClass, and Ready worker nodes.
"""

from __future__ import annotations

from typing import Any

from helmlite.cluster.admission import DEFAULT_STORAGE_CLASS_ANNOTATION
from helmlite.cluster.allocation import KUBERNETES_SERVICE_IP
from helmlite.cluster.store import ObjectStore

__all__ = [
    "DEFAULT_NODE_COUNT",
    "DEFAULT_STORAGE_CLASS",
    "KUBE_VERSION",
    "SYSTEM_NAMESPACES",
    "bootstrap",
    "node_manifest",
]

KUBE_VERSION = "v1.37.0"  # what the simulated kubelets and API server report
DEFAULT_NODE_COUNT = 3
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
DEFAULT_STORAGE_CLASS = "standard"
_ZONES = ("zone-a", "zone-b", "zone-c")
_APISERVER_ADDRESS = "172.18.0.1"
_MANAGER = "kube-apiserver"


def node_manifest(name: str, index: int, *, cpu: str = "4", memory: str = "16Gi", pods: str = "110",
                  labels: dict[str, str] | None = None, now: str) -> dict[str, Any]:
    """A Ready node as a kubelet registers it; ``index`` picks its address, pod CIDR and zone."""
    capacity = {"cpu": cpu, "memory": memory, "pods": pods, "ephemeral-storage": "100Gi",
                "hugepages-1Gi": "0", "hugepages-2Mi": "0"}
    conditions = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "topology.kubernetes.io/region": "region-1",
                "topology.kubernetes.io/zone": _ZONES[(index - 1) % len(_ZONES)],
                **(labels or {}),
            },
            "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        },
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"],
                 "providerID": f"helmlite://{name}"},
        "status": {
            "capacity": capacity,
            "allocatable": dict(capacity),
            "conditions": [
                {"type": t, "status": s, "reason": r, "message": m, "lastHeartbeatTime": now, "lastTransitionTime": now}
                for t, s, r, m in conditions
            ],
            "addresses": [{"type": "InternalIP", "address": f"172.18.0.{index + 1}"},
                          {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://2.1.0",
                "kernelVersion": "6.8.0-helmlite",
                "kubeProxyVersion": KUBE_VERSION,
                "kubeletVersion": KUBE_VERSION,
                "operatingSystem": "linux",
                "osImage": "Helmlite Simulated Linux",
                "machineID": f"{index:032x}",
                "systemUUID": f"00000000-0000-0000-0000-{index:012x}",
                "bootID": f"00000000-0000-0000-0001-{index:012x}",
            },
        },
    }


def bootstrap(store: ObjectStore, *, nodes: int = DEFAULT_NODE_COUNT, now: str) -> None:
    """Create the initial objects of a fresh cluster in ``store``."""
    for name in SYSTEM_NAMESPACES:
        store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                     field_manager=_MANAGER, copy=False)
    store.create({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": KUBERNETES_SERVICE_IP,
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
    }, field_manager=_MANAGER, copy=False)
    store.create({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": _APISERVER_ADDRESS}],
                     "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}],
    }, field_manager=_MANAGER, copy=False)
    # The API server's endpoint reconciler writes this slice itself (no owner, no managed-by
    # label), so the EndpointSlice controller, which only handles Services with a selector,
    # leaves it alone; ``describe svc kubernetes`` reads its endpoint from here.
    store.create({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [_APISERVER_ADDRESS], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
    }, field_manager=_MANAGER, copy=False)
    for name, value, description in (
        ("system-cluster-critical", 2000000000,
         "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
        ("system-node-critical", 2000001000,
         "Used for system critical pods that must not be moved from their current node."),
    ):
        store.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
                      "value": value, "description": description}, field_manager=_MANAGER, copy=False)
    store.create({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": DEFAULT_STORAGE_CLASS, "annotations": {DEFAULT_STORAGE_CLASS_ANNOTATION: "true"}},
        "provisioner": "helmlite.io/hostpath",
    }, field_manager=_MANAGER, copy=False)
    for i in range(1, nodes + 1):
        store.create(node_manifest(f"node-{i}", i, now=now), field_manager="kubelet", copy=False)
