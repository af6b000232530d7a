"""Flag families shared by several commands, named and defaulted in one place.

Helm's global flags are "persistent": they may appear before or after the subcommand. Click
only knows options per command, so ``global_options`` is applied to the root group *and* to
every subcommand; each occurrence writes into the one ``GlobalSettings`` of the invocation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from helmlite.backends.kube import KubeConnection

__all__ = [
    "DEFAULT_BACKEND",
    "DEFAULT_NAMESPACE",
    "GlobalSettings",
    "global_options",
    "settings",
    "value_options_from",
    "values_options",
]

DEFAULT_NAMESPACE = "default"
DEFAULT_BACKEND = "simulator"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class GlobalSettings:
    """Helm's global flags and their environment variables (``HELMLITE_*`` mirrors ``HELM_*``)."""

    namespace: str = DEFAULT_NAMESPACE
    namespace_given: bool = False
    kube_context: str = ""
    kubeconfig: str = ""
    # --backend kube's connection overrides (Helm's --kube-apiserver, --kube-token, …).
    kube_apiserver: str = ""
    kube_token: str = ""
    kube_ca_file: str = ""
    kube_insecure_skip_tls_verify: bool = False
    kube_as_user: str = ""
    kube_as_groups: tuple[str, ...] = ()
    kube_as_groups_given: bool = False
    kube_tls_server_name: str = ""
    backend: str = DEFAULT_BACKEND
    # The simulator's cluster file; "" = helmlite.paths.cluster_file() (which reads HELMLITE_CLUSTER).
    cluster: str = ""
    debug: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> GlobalSettings:
        env = os.environ
        namespace = env.get("HELMLITE_NAMESPACE", "")
        return cls(
            namespace=namespace or DEFAULT_NAMESPACE,
            namespace_given=bool(namespace),
            kube_context=env.get("HELMLITE_KUBECONTEXT", ""),
            kubeconfig=env.get("KUBECONFIG", ""),
            kube_apiserver=env.get("HELMLITE_KUBEAPISERVER", ""),
            kube_token=env.get("HELMLITE_KUBETOKEN", ""),
            kube_ca_file=env.get("HELMLITE_KUBECAFILE", ""),
            kube_insecure_skip_tls_verify=_truthy(env.get("HELMLITE_KUBEINSECURE_SKIP_TLS_VERIFY", "")),
            kube_as_user=env.get("HELMLITE_KUBEASUSER", ""),
            # Helm reads HELM_KUBEASGROUPS as a comma-separated list.
            kube_as_groups=tuple(g for g in env.get("HELMLITE_KUBEASGROUPS", "").split(",") if g),
            kube_tls_server_name=env.get("HELMLITE_KUBETLS_SERVER_NAME", ""),
            backend=env.get("HELMLITE_BACKEND", DEFAULT_BACKEND),
            cluster=env.get("HELMLITE_CLUSTER", ""),
            debug=env.get("HELMLITE_DEBUG", "").lower() in ("1", "true", "yes"),
        )

    def kube_connection(self) -> KubeConnection:
        """How ``--backend kube`` reaches its cluster, from the kube flags and their environment."""
        from helmlite.backends.kube import KubeConnection

        return KubeConnection(
            kubeconfig=self.kubeconfig,
            context=self.kube_context,
            apiserver=self.kube_apiserver,
            token=self.kube_token,
            ca_file=self.kube_ca_file,
            insecure_skip_tls_verify=self.kube_insecure_skip_tls_verify,
            as_user=self.kube_as_user,
            as_groups=self.kube_as_groups,
            tls_server_name=self.kube_tls_server_name,
        )

    def release_namespace(self) -> str:
        """The namespace release commands work in: ``-n``/``$HELMLITE_NAMESPACE``; else, with
        ``--backend kube``, the kubeconfig context's (as Helm does); else ``default``.

        The simulator is in no kubeconfig, so its default stays ``default``.
        """
        if self.namespace_given or self.backend != "kube":
            return self.namespace
        return self.kube_connection().namespace() or self.namespace


def _truthy(value: str) -> bool:
    """A boolean environment variable as Go's ``strconv.ParseBool`` reads Helm's (``1``, ``t``, ``true``)."""
    return value.strip().lower() in ("1", "t", "true")


def settings(ctx: click.Context | None = None) -> GlobalSettings:
    """The ``GlobalSettings`` of this invocation (created from the environment on first use)."""
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if not isinstance(root.obj, GlobalSettings):
        root.obj = GlobalSettings.from_environment()
    return root.obj


def _store(attr: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is None or value is False or value == ():
            return
        s = settings(ctx)
        setattr(s, attr, value)
        if attr == "namespace":
            s.namespace_given = True

    return callback


def _store_groups(ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> None:
    """``--kube-as-group``: repeatable, and one list however the occurrences are split between
    the root command and the subcommand (Helm's persistent flag); the flags replace
    ``$HELMLITE_KUBEASGROUPS``."""
    if not value:
        return
    s = settings(ctx)
    s.kube_as_groups = (*(s.kube_as_groups if s.kube_as_groups_given else ()), *value)
    s.kube_as_groups_given = True


def global_options(f: F) -> F:
    """Add Helm's persistent flags to a command (they write into the shared settings)."""
    decorators = [
        click.option("-n", "--namespace", default=None, expose_value=False, callback=_store("namespace"),
                     is_eager=True, help="namespace scope for this request"),
        click.option("--kube-context", default=None, expose_value=False, callback=_store("kube_context"),
                     is_eager=True, help="name of the kubeconfig context to use"),
        click.option("--kubeconfig", default=None, expose_value=False, callback=_store("kubeconfig"),
                     is_eager=True, help="path to the kubeconfig file"),
        click.option("--kube-apiserver", default=None, expose_value=False, callback=_store("kube_apiserver"),
                     is_eager=True, help="the address and the port for the Kubernetes API server"),
        click.option("--kube-token", default=None, expose_value=False, callback=_store("kube_token"),
                     is_eager=True, help="bearer token used for authentication"),
        click.option("--kube-ca-file", default=None, expose_value=False, callback=_store("kube_ca_file"),
                     is_eager=True, help="the certificate authority file for the Kubernetes API server connection"),
        click.option("--kube-insecure-skip-tls-verify", is_flag=True, default=False, expose_value=False,
                     callback=_store("kube_insecure_skip_tls_verify"), is_eager=True,
                     help="if true, the Kubernetes API server's certificate will not be checked for validity. "
                          "This will make your HTTPS connections insecure"),
        click.option("--kube-as-user", default=None, expose_value=False, callback=_store("kube_as_user"),
                     is_eager=True, help="username to impersonate for the operation"),
        click.option("--kube-as-group", multiple=True, expose_value=False, callback=_store_groups, is_eager=True,
                     help="group to impersonate for the operation, this flag can be repeated to specify "
                          "multiple groups."),
        click.option("--kube-tls-server-name", default=None, expose_value=False,
                     callback=_store("kube_tls_server_name"), is_eager=True,
                     help="server name to use for Kubernetes API server certificate validation. If it is not "
                          "provided, the hostname used to contact the server is used"),
        click.option("--backend", type=click.Choice(["simulator", "kube"]), default=None, expose_value=False,
                     callback=_store("backend"), is_eager=True,
                     help="where releases are applied: the built-in simulator (default) or a real cluster"),
        click.option("--cluster", default=None, expose_value=False, callback=_store("cluster"), is_eager=True,
                     metavar="FILE", help="the simulated cluster's file (default $HELMLITE_CLUSTER, "
                     "else cluster.db in the data directory)"),
        click.option("--debug", is_flag=True, default=False, expose_value=False, callback=_store("debug"),
                     is_eager=True, help="enable verbose output and tracebacks"),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def values_options(f: F) -> F:
    """Helm's values flags. They are applied by flag type, not command-line position:
    -f files in order, then --set-json, --set, --set-string, --set-file, --set-literal."""
    decorators = [
        click.option("-f", "--values", "value_files", multiple=True, metavar="FILE",
                     help="specify values in a YAML file ('-' reads stdin); can be given several times"),
        click.option("--set", "set_values", multiple=True, metavar="KEY=VAL",
                     help="set values on the command line (a.b=1,c[0]=x)"),
        click.option("--set-string", "string_values", multiple=True, metavar="KEY=VAL",
                     help="set STRING values on the command line"),
        click.option("--set-file", "file_values", multiple=True, metavar="KEY=PATH",
                     help="set values from the contents of files"),
        click.option("--set-json", "json_values", multiple=True, metavar="KEY=JSON",
                     help="set JSON values on the command line (or a whole JSON object)"),
        click.option("--set-literal", "literal_values", multiple=True, metavar="KEY=VAL",
                     help="set a literal STRING value (no splitting, no escapes)"),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def value_options_from(kwargs: dict[str, Any]) -> Any:
    """Pop the values flags out of a command's kwargs into a ``ValueOptions``."""
    from helmlite.values.options import ValueOptions

    return ValueOptions(
        value_files=tuple(kwargs.pop("value_files", ())),
        set_values=tuple(kwargs.pop("set_values", ())),
        string_values=tuple(kwargs.pop("string_values", ())),
        file_values=tuple(kwargs.pop("file_values", ())),
        json_values=tuple(kwargs.pop("json_values", ())),
        literal_values=tuple(kwargs.pop("literal_values", ())),
    )
