"""The one exception tree of helmlite.

Every error a user can cause is a ``HelmliteError``; the CLI prints ``Error: <message>`` on
one line and exits 1. Anything else is a bug and gets "use --debug for a traceback".

    HelmliteError
    ├── ConstraintError          a SemVer version or constraint that cannot be parsed
    ├── ChartError               a chart that cannot be used
    │   ├── ChartLoadError       Chart.yaml / values.yaml / a chart file is malformed (names file and field)
    │   ├── ArchiveError         an unsafe or oversized chart archive
    │   ├── DependencyError      dependencies that cannot be resolved or enabled
    │   └── IncompatibleChartError   kubeVersion / chart type / template engine not usable here
    ├── ValuesError              values that cannot be parsed or merged
    │   ├── SetParseError        a --set / --set-string / --set-json expression
    │   ├── ValuesFileError      a values file that is not YAML or not a map (Helm's "failed to parse")
    │   ├── SchemaValidationError    values that violate values.schema.json (lists every violation)
    │   └── YAMLReadBackError    values Helm's toYaml cannot write (go-yaml's message); also a ValueError
    ├── RenderError              a template failed to parse or execute (names file and line)
    ├── ManifestError            rendered output that is not valid Kubernetes YAML
    ├── ReleaseError             (helmlite.release) release records and their storage
    │   ├── ReleaseDecodeError   a stored record that is not Helm's release v1 encoding
    │   ├── ReleaseNotFound      "release: not found" (NoResults: a query matched nothing)
    │   ├── ReleaseExists        "release: already exists"
    │   ├── InvalidKey           a storage key that is not sh.helm.release.v1.NAME.vN
    │   ├── NoDeployedReleases   "NAME" has no deployed releases
    │   ├── OperationInProgress  another operation holds the release's lease
    │   ├── LeaseLost            our lease was taken over while we worked
    │   └── SQLStorageError      the SQL store cannot be used
    ├── ObjectClientError        (helmlite.release.storage.objects) Exists / NotFound / Conflict on storage objects
    ├── RepoError                (helmlite.repo) chart repositories, client side
    │   ├── IndexLoadError       an index.yaml that is empty, too large or invalid
    │   ├── DownloadError        a repository or chart that cannot be fetched
    │   └── DigestMismatchError  a downloaded package whose sha256 differs from the index digest
    ├── StoreError               (helmlite.repo.server.storage) BadUpload, ChartExists, ChartNotFound
    ├── AuthConfigError          (helmlite.repo.server.auth) unusable credentials configuration
    ├── InvalidProvenance        (helmlite.repo.server.provenance) a .prov file that does not match its chart
    ├── ApiError                 (helmlite.cluster.errors) a Kubernetes API error: reason, HTTP code, metav1.Status
    │                            NotFound (NoKindMatch), AlreadyExists, Conflict, Invalid, Forbidden, BadRequest,
    │                            MethodNotAllowed
    ├── SimulatorError           (helmlite.cluster.errors) the simulated cluster cannot be opened or advanced;
    │                            RolloutError / RollbackError (helmlite.cluster.rollout, .history) under it
    └── BackendError             (helmlite.backends) applying to a cluster
        ├── BackendUnavailable   the backend cannot be used (busy cluster file, kube not available)
        ├── WaitError            --wait timed out or a resource failed (names each blocker)
        └── ResourceError        NotFound (UnknownKind), Exists, Conflict, Invalid, Forbidden, with the API's message

Subtrees marked with a module live beside the code that raises them.

Error messages are one line: what went wrong, where, and (when it is not obvious) how to fix it.
"""

from __future__ import annotations

__all__ = [
    "HelmliteError",
    "ConstraintError",
    "ChartError",
    "ChartLoadError",
    "ArchiveError",
    "DependencyError",
    "IncompatibleChartError",
    "ValuesError",
    "SetParseError",
    "SchemaValidationError",
    "ValuesFileError",
    "YAMLReadBackError",
    "RenderError",
    "ManifestError",
]


class HelmliteError(Exception):
    """Base of every error a user can cause; ``str(err)`` is the one-line message."""


class ConstraintError(HelmliteError, ValueError):
    """A SemVer version or version constraint that cannot be parsed."""


class ChartError(HelmliteError):
    """A chart that cannot be loaded, packaged or used."""


class ChartLoadError(ChartError):
    """A malformed chart file; the message names the file and, where known, the field."""


class ArchiveError(ChartError):
    """A chart archive that is corrupt, unsafe (path escape, links, devices) or too large."""


class DependencyError(ChartError):
    """Chart dependencies that cannot be matched, enabled or imported."""


class IncompatibleChartError(ChartError):
    """A valid chart that cannot be used here (kubeVersion, library type, template engine)."""


class ValuesError(HelmliteError):
    """Values that cannot be parsed or merged."""


class SetParseError(ValuesError):
    """A malformed --set style expression."""


class SchemaValidationError(ValuesError):
    """Values that violate a chart's values.schema.json.

    ``violations`` maps each chart name to its list of ``(json_path, message)`` pairs, so
    callers can show every problem, not just the first. ``refused`` maps each chart whose
    schema file Go's JSON reader refuses (NaN, Infinity) to that reader's error, which Helm
    prints in place of the chart's violations (``helm lint`` prints it alone).
    """

    def __init__(
        self,
        message: str,
        violations: dict[str, list[tuple[str, str]]],
        refused: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.violations = violations
        self.refused = refused if refused is not None else {}


class ValuesFileError(ValuesError):
    """A values file that cannot be read: ``failed to parse <source>: <problem>``, as Helm words
    a ``-f`` file. ``problem`` alone is what Helm's other callers wrap their own way (a chart's
    values.yaml: ``cannot load values.yaml: <problem>``)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"failed to parse {source}: {problem}")
        self.source = source
        self.problem = problem


class YAMLReadBackError(ValuesError, ValueError):
    """A value that cannot be written as YAML the way Helm's ``toYaml`` (sigs.k8s.io/yaml) writes
    it, because go-yaml cannot read back its JSON form: the message is go-yaml's, as Helm prints
    it (``yaml: control characters are not allowed``). A ValueError too, for callers that
    treat any unwritable value alike."""


class RenderError(HelmliteError):
    """A template failed to parse or execute; the message names the template file and line."""


class ManifestError(HelmliteError):
    """Rendered output that is not a valid YAML Kubernetes manifest."""
