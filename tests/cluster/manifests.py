"""Manifest builders shared by the simulator tests."""

from __future__ import annotations

import copy
from typing import Any


def deployment(name: str = "web", *, replicas: int | None = 3, image: str = "nginx:1.25",
               labels: dict[str, str] | None = None, namespace: str | None = None) -> dict[str, Any]:
    labels = labels or {"app": name}
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(labels)},
        "template": {"metadata": {"labels": dict(labels)},
                     "spec": {"containers": [{"name": "nginx", "image": image}]}},
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}


def pod(name: str = "p", *, namespace: str | None = None, image: str = "nginx:1.25", **spec: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": "app", "image": image}], **spec}}


def configmap(name: str, *, namespace: str = "default", owners: list[dict[str, Any]] | None = None,
              finalizers: list[str] | None = None, data: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if owners:
        meta["ownerReferences"] = owners
    if finalizers:
        meta["finalizers"] = finalizers
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data or {"k": "v"}}


def owner_ref(obj: dict[str, Any], *, block: bool = True, controller: bool = True) -> dict[str, Any]:
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": controller, "blockOwnerDeletion": block}


def clone(obj: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(obj)
