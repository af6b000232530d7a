"""``helmlite cluster …``: kubectl-style views and actions on the simulated cluster.

One module per verb, imported on first use. Every verb opens the cluster file selected by
``--cluster`` / ``$HELMLITE_CLUSTER`` (see ``helmlite.cli.cluster.common``) for one atomic
command, as ``kubectl`` talks to one API server.
"""

from __future__ import annotations

import click

from helmlite.cli.lazy import LazyGroup
from helmlite.cli.options import global_options

__all__ = ["cluster"]

_P = "helmlite.cli.cluster."
# name → (module, attribute, one-line help); kubectl's verbs where the concept exists.
CLUSTER_COMMANDS: dict[str, tuple[str, str, str]] = {
    "advance": (_P + "advance", "advance", "move the cluster's virtual clock forward"),
    "apply": (_P + "apply", "apply", "apply a configuration to a resource by file name or stdin"),
    "delete": (_P + "delete", "delete", "delete resources by file names, stdin, resources and names"),
    "describe": (_P + "describe", "describe", "show details of a specific resource or group of resources"),
    "faults": (_P + "faults", "faults", "inject, list and clear simulated failures"),
    "get": (_P + "get", "get", "display one or many resources"),
    "kubeconfig": (_P + "kubeconfig", "kubeconfig", "write a kubeconfig for the served cluster"),
    "label": (_P + "label", "label", "update the labels on a resource"),
    "logs": (_P + "logs", "logs", "print the logs for a container in a pod"),
    "nodes": (_P + "nodes", "nodes", "add, remove, cordon, uncordon and taint simulated nodes"),
    "reset": (_P + "reset", "reset", "delete the simulated cluster and start a fresh one"),
    "rollout": (_P + "rollout", "rollout", "manage the rollout of a deployment, daemonset or statefulset"),
    "scale": (_P + "scale", "scale", "set a new size for a deployment, replica set or stateful set"),
    "serve": (_P + "serve", "serve", "serve the simulated cluster as a Kubernetes API"),
    "set": (_P + "set", "set", "set specific features on objects (set image)"),
}


class ClusterGroup(LazyGroup):
    """The ``cluster`` verbs."""

    table = CLUSTER_COMMANDS


@click.group(cls=ClusterGroup)
@global_options
def cluster() -> None:
    """Look at and operate the built-in cluster simulator, as kubectl does a real cluster.

    \b
    Examples:
      helmlite cluster get pods                     # pods in the default namespace
      helmlite cluster get all -A -o wide           # everything, all namespaces
      helmlite cluster describe deploy/web
      helmlite cluster rollout history deploy/web
      helmlite cluster advance 10m                  # let ten virtual minutes pass
      helmlite cluster faults add --image nginx:broken --pull-error

    The cluster is the file given by --cluster (default $HELMLITE_CLUSTER, else cluster.db
    in helmlite's data directory), the same one install/upgrade apply to.
    """
