"""The lint rules (helmlite.chart.lint): each check as a table, then whole charts.

Expected texts are Helm v4.3.1's (helm-behaviour.md §4.6 and §5.2, and the binary itself).
Where Helm's text comes from a Go library (a YAML parser, the chart loader, a schema
validator) only the rule's own prefix is compared.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helmlite.chart import lint
from helmlite.chart.lint import LintMessage, Severity
from helmlite.render.capabilities import KubeVersion

FIXTURES = Path(__file__).parent / "lint_fixtures"
NATIVE = "annotations:\n  helmlite.io/template-engine: jinja2\n"
INFO, WARNING, ERROR = Severity.INFO, Severity.WARNING, Severity.ERROR


def rendered(messages: list[LintMessage]) -> list[str]:
    return [str(m) for m in messages]


def make_chart(root: Path, files: dict[str, str], *, chart_yaml: str | None = None, name: str = "demo") -> Path:
    chart = root / name
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        chart_yaml if chart_yaml is not None
        else f"apiVersion: v2\nname: {name}\nversion: 0.1.0\nicon: https://example.com/i.png\n{NATIVE}"
    )
    for rel, text in files.items():
        path = chart / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return chart


# --- Chart.yaml checks ------------------------------------------------------------------------


def meta(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "demo", "apiVersion": "v2", "version": "1.2.3", "icon": "https://example.com/i.png",
        "type": "", "dependencies": [], "maintainers": [], "sources": [],
    }  # fmt: skip
    base.update(fields)
    return base


@pytest.mark.parametrize(
    ("rule", "fields", "expected"),
    [
        (lint.validate_chart_name, {"name": ""}, "name is required"),
        (lint.validate_chart_name, {"name": "../badchartname"}, 'chart name "../badchartname" is invalid'),
        (lint.validate_chart_name, {"name": "abc/"}, 'chart name "abc/" is invalid'),
        (lint.validate_chart_name, {"name": "Bad_Name"}, None),  # Helm 4.3.1 has no character rule
        (lint.validate_chart_api_version, {"apiVersion": ""}, 'apiVersion is required. The value must be either "v1" or "v2"'),
        (lint.validate_chart_api_version, {"apiVersion": "v3"}, "apiVersion 'v3' is not valid. The value must be either \"v1\" or \"v2\""),
        (lint.validate_chart_api_version, {"apiVersion": "v1"}, None),
        (lint.validate_chart_version, {"version": ""}, "version is required"),
        (lint.validate_chart_version, {"version": "0.0.0.0"}, "version '0.0.0.0' is not a valid SemVer"),
        (lint.validate_chart_version, {"version": "v0.0-0"}, 'version "0.0.0-0" is less than or equal to "0.0.0-0"'),
        (lint.validate_chart_version, {"version": "v1.2"}, None),
        (lint.validate_chart_version, {"version": "0.0.0"}, None),
        (lint.validate_chart_version_strict, {"version": "v1.2"}, "version 'v1.2' is not a valid SemVerV2"),
        (lint.validate_chart_version_strict, {"version": ""}, "version '' is not a valid SemVerV2"),
        (lint.validate_chart_version_strict, {"version": "199.44.12345-Alpha.1+cafe009"}, None),
        (lint.validate_chart_maintainers, {"maintainers": [None]}, "a maintainer entry is empty"),
        (lint.validate_chart_maintainers, {"maintainers": [{"email": "a@b.c"}]}, "each maintainer requires a name"),
        (lint.validate_chart_maintainers, {"maintainers": [{"name": "a", "email": "bad-email"}]}, "invalid email 'bad-email' for maintainer 'a'"),
        (lint.validate_chart_maintainers, {"maintainers": [{"name": "a", "url": "not a url"}]}, "invalid url 'not a url' for maintainer 'a'"),
        (lint.validate_chart_maintainers, {"maintainers": [{"name": "a", "email": "a@b.io", "url": "example.com"}]}, None),
        (lint.validate_chart_sources, {"sources": ["https://github.com/x/y", "ftp//x", ""]}, "invalid source URL 'ftp//x'"),
        (lint.validate_chart_sources, {"sources": [""]}, "invalid source URL ''"),
        (lint.validate_chart_icon_presence, {"icon": ""}, "icon is recommended"),
        (lint.validate_chart_icon_url, {"icon": "not-a-url"}, "invalid icon URL 'not-a-url'"),
        (lint.validate_chart_icon_url, {"icon": ""}, None),
        (lint.validate_chart_type, {"apiVersion": "", "type": "application"}, "chart type is not valid in apiVersion ''. It is valid in apiVersion 'v2'"),
        (lint.validate_chart_type, {"apiVersion": "v2", "type": "library"}, None),
        (lint.validate_chart_dependencies, {"apiVersion": "v1", "dependencies": [{"name": "x"}]},
         "dependencies are not valid in the Chart file with apiVersion 'v1'. They are valid in apiVersion 'v2'"),
    ],
)  # fmt: skip
def test_chartfile_rule(rule: object, fields: dict[str, object], expected: str | None) -> None:
    assert rule(meta(**fields)) == expected  # type: ignore[operator]


@pytest.mark.parametrize(
    ("raw", "key", "expected"),
    [
        ({"version": "1.0"}, "version", None),
        ({}, "version", None),
        ({"version": 7244500.0}, "version", "version should be of type string but it's of type float64"),
        ({"appVersion": 1}, "appVersion", "appVersion should be of type string but it's of type float64"),
        ({"appVersion": True}, "appVersion", "appVersion should be of type string but it's of type bool"),
        ({"appVersion": None}, "appVersion", "appVersion should be of type string but it's of type <nil>"),
        ({"appVersion": [1]}, "appVersion", "appVersion should be of type string but it's of type []interface {}"),
    ],
)
def test_version_fields_must_be_yaml_strings(raw: dict[str, object], key: str, expected: str | None) -> None:
    assert lint.validate_string_field(raw, key) == expected


# Verdicts of the Helm v4.3.1 binary on the same strings.
@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("https://x.io/i.png", True), ("mailto:a@b.c", True), ("http:x", True), ("http://host:80", True),
        ("http://[::1]", True), ("x:y", True), ("http://x/a b", True), ("git+ssh://x/y", True),
        ("file:///etc/passwd", True), ("http://x:", True), ("http://", True), ("http://x?q=1", True),
        ("not-a-url", False), ("ftp//x", False), ("/abs/path", False), ("http://a b", False),
        ("http://host:port", False), ("http://[::1", False), ("http://a%zz", False), (":x", False),
        ("1http://x", False), ("http://x#frag", False), ("http://ex{ample}.com", False), ("example.com", False),
        ("http://x.com/a\tb", False), ("", False),
        # Go's net/url host rules: a port is digits; http(s) hosts take no bare colon; few escapes.
        ("ftp://a:b:1", True), ("ftp://::1", True), ("https://a]b", True), ("https://::1:80", False),
        ("https://x:y:", False), ("ftp://::1x", False), ("ftp://@-[", False), ("http://%20", False),
    ],
)  # fmt: skip
def test_is_request_url(text: str, valid: bool) -> None:
    assert lint.is_request_url(text) is valid


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("http://example.com", True), ("example.com", True), ("www.example.com", True), ("example.com:8080", True),
        ("http://1.2.3.4", True), ("http://a_b.com", True), ("http://a--b.com", True), ("http://exämple.com", True),
        ("http://x#frag", True), ("x.com?q", True), ("https://user@host/x", True), ("http://[fe80::1%25eth0]/", True),
        ("tcp://1.2.3.4:99999", True), ("mailto:a@b.c", True),
        ("not a url", False), ("http:x", False), ("http://", False), ("HTTP://X", False), ("git+ssh://x/y", False),
        ("a.b", False), ("foo", False), ("localhost", False), ("http://256.1.1.1", False), ("http://-a.com", False),
        ("http://a-.com", False), ("http://x.y_z", False), ("abcd", False), ("http://.x.com", False),
        ("http://x.123", False), ("http://x.c0m", False), ("http://x:", False),
    ],
)  # fmt: skip
def test_is_url(text: str, valid: bool) -> None:
    assert lint.is_url(text) is valid


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("a@b.c", True), ("a.b@c.d", True), ("first.last@sub.example.co.uk", True), ("a+tag@x.io", True),
        ("é@x.io", True), ("a@é.io", True), ("a@x_y.io", True), ("a@x.i~o", True), ("a@x.io.", True),
        ("a@1x.io", True), ('"x"@a.bc', True), ('" x"@a.bc', True),
        ("a@b", False), ("a..b@c.d", False), (".a@b.cd", False), ("a.@b.cd", False), ('"x y"@a.bc', False),
        ("a@1.2", False), ("a@b.c1", False), ("a@-b.c", False), ("a@b..c", False), ("a@b.c-", False),
        ("a b@c.d", False), ("a@@b.c", False), ("bad-email", False), ("a@x.io..", False), ("@x.io", False),
        ("a@", False), ("a@x-.io", False),
    ],
)  # fmt: skip
def test_is_email(text: str, valid: bool) -> None:
    assert lint.is_email(text) is valid


def test_url_checks_take_linear_time_on_hostile_input() -> None:
    # govalidator's patterns backtrack exponentially in Python's engine; the rewrites must not.
    for text in ("a" * 2000 + "!", "a-" * 1000 + "!", "a_" * 1000 + "!", "a." * 1000 + "!"):
        assert lint.is_url(text) is False
        assert lint.is_email(text + "@" + text) is False


@pytest.mark.parametrize(
    ("chart_yaml", "expected"),
    [
        # go-yaml's scalars: an unquoted number is a float64 and is printed the Go way.
        ("apiVersion: v2\nname: x\nversion: 72445e2\nappVersion: 72225e2\n", [
            "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
            "[ERROR] Chart.yaml: version '7.2445e+06' is not a valid SemVer",
            "[ERROR] Chart.yaml: appVersion should be of type string but it's of type float64",
            "[WARNING] Chart.yaml: version '7.2445e+06' is not a valid SemVerV2",
        ]),
        ("apiVersion: v2\nname: x\nversion: 1.10\n", [
            "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
            "[WARNING] Chart.yaml: version '1.1' is not a valid SemVerV2",
        ]),
        ("apiVersion: v2\nname: x\nversion: 1000000\n", [
            "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
            "[WARNING] Chart.yaml: version '1000000' is not a valid SemVerV2",
        ]),
        ("apiVersion: v2\nname: x\nversion: 12345678901234567890\n", [
            "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
            "[WARNING] Chart.yaml: version '12345678901234567890' is not a valid SemVerV2",
        ]),
        ("apiVersion: v2\nname: x\nversion: 017\n", [
            "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
            "[WARNING] Chart.yaml: version '15' is not a valid SemVerV2",
        ]),
        ("apiVersion: v2\nname: x\nversion: 0o17\n", [
            "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
            "[WARNING] Chart.yaml: version '15' is not a valid SemVerV2",
        ]),
        ("apiVersion: v2\nname: x\nversion: y\n", [
            "[ERROR] Chart.yaml: version should be of type string but it's of type bool",
            "[ERROR] Chart.yaml: version 'true' is not a valid SemVer",
            "[WARNING] Chart.yaml: version 'true' is not a valid SemVerV2",
        ]),
        ("apiVersion: v2\nname: x\nversion: 1.0.0\nappVersion:\n", [
            "[ERROR] Chart.yaml: appVersion should be of type string but it's of type <nil>",
        ]),
        # Strict parsing: duplicates (every one, in order), then unknown fields (sorted, nested too).
        ("name: x\napiVersion: v2\napiVersion: v1\nversion: 1.3.0\nmaintainers:\n- name: a\n  name: b\n", [
            ("[WARNING] Chart.yaml: failed to strictly parse chart metadata file\n"
            "\terror converting YAML to JSON: yaml: unmarshal errors:\n"
            '  line 3: key "apiVersion" already set in map\n'
            '  line 7: key "name" already set in map'),
        ]),
        ("apiVersion: v2\nname: x\nversion: 1.0.0\nzzz: 1\nmaintainers:\n- name: a\n  foo: b\n", [
            ("[WARNING] Chart.yaml: failed to strictly parse chart metadata file\n"
            '\terror unmarshaling JSON: while decoding JSON: json: unknown field "foo"'),
        ]),
        # Field names match case-insensitively, as in Go's JSON decoder.
        ("apiVersion: v2\nName: x\nversion: 1.0.0\n", []),
        # Decoding failures stop the Chart.yaml rules.
        ('apiVersion: v2\nname: x\nversion: 1.0.0\ndeprecated: "yes"\n', [
            ("[ERROR] Chart.yaml: unable to parse YAML\n\terror unmarshaling JSON: while decoding JSON: json: "
            "cannot unmarshal string into Go struct field .deprecated of type bool"),
        ]),
        ("apiVersion: v2\nname: x\nversion: 1.0.0\nsources: http://x\n", [
            ("[ERROR] Chart.yaml: unable to parse YAML\n\terror unmarshaling JSON: while decoding JSON: json: "
            "cannot unmarshal string into Go struct field .sources of type []string"),
        ]),
        ("- a\n", [
            ("[ERROR] Chart.yaml: unable to parse YAML\n\terror unmarshaling JSON: while decoding JSON: json: "
            "cannot unmarshal array into Go value of type v2.Metadata"),
        ]),
        ("", [
            "[ERROR] Chart.yaml: name is required",
            '[ERROR] Chart.yaml: apiVersion is required. The value must be either "v1" or "v2"',
            "[ERROR] Chart.yaml: version is required",
            "[INFO] Chart.yaml: icon is recommended",
            "[WARNING] Chart.yaml: version '' is not a valid SemVerV2",
        ]),
    ],
)  # fmt: skip
def test_chartfile_as_helm_decodes_it(tmp_path: Path, chart_yaml: str, expected: list[str]) -> None:
    if chart_yaml and "icon" not in chart_yaml and not chart_yaml.startswith("-"):
        chart_yaml += "icon: https://example.com/i.png\n"
    chart = make_chart(tmp_path, {}, chart_yaml=chart_yaml)
    assert rendered(lint.lint_chartfile(chart)) == expected


def test_unparsable_chartfile_stops_the_chartfile_rules(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {}, chart_yaml="apiVersion: v2\nname: [x\n")
    [message] = lint.lint_chartfile(chart)
    assert message.severity is ERROR
    assert message.text.startswith("unable to parse YAML\n\terror converting YAML to JSON: yaml: line ")


def test_chartfile_that_is_a_directory(tmp_path: Path) -> None:
    chart = tmp_path / "c"
    (chart / "Chart.yaml").mkdir(parents=True)
    assert rendered(lint.lint_chartfile(chart)) == [
        "[ERROR] Chart.yaml: should be a file, not a directory",
        f"[ERROR] Chart.yaml: unable to parse YAML\n\tread {chart}/Chart.yaml: is a directory",
    ]


# --- Template checks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("templates/a.yaml", None), ("templates/a.yml", None), ("templates/_h.tpl", None), ("templates/NOTES.txt", None),
        ("templates/a.json", "file extension '.json' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"),
        ("templates/noext", "file extension '' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"),
        ("templates/a.YAML", "file extension '.YAML' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"),
        ("templates/dir.d/file", "file extension '' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"),
    ],
)  # fmt: skip
def test_allowed_extension(name: str, expected: str | None) -> None:
    assert lint.validate_allowed_extension(name) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("apiVersion: v1\n", None),
        ("\n\n# comment\n  indented: later\n", None),
        ("\n   \n  apiVersion: v1\n", 'document starts with an illegal indent: "  apiVersion: v1", which may cause parsing problems'),
        ("\tkind: x\n", 'document starts with an illegal indent: "\\tkind: x", which may cause parsing problems'),
        ("", None),
    ],
)
def test_top_indent_level(content: str, expected: str | None) -> None:
    assert lint.validate_top_indent_level(content) == expected


SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, "
    "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
    "'[a-z]([-a-z0-9]*[a-z0-9])?')"
)


def name_error(name: str, *problems: str) -> str:
    errors = [f'metadata.name: Invalid value: "{name}": {p}' for p in problems]
    joined = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    return f'object name does not conform to Kubernetes naming requirements: "{name}": {joined}'


@pytest.mark.parametrize(
    ("kind", "name", "problems"),
    [
        ("ConfigMap", "good.name-1", ()),
        ("ConfigMap", "-this:name-is-not_valid$", (SUBDOMAIN,)),
        ("Pod", "", (SUBDOMAIN,)),
        ("ConfigMap", "a" * 254, ("must be no more than 253 characters",)),
        ("ConfigMap", "A" * 254, ("must be no more than 253 characters", SUBDOMAIN)),
        ("ServiceAccount", "Bad_Name.x", (SUBDOMAIN,)),
        ("UnknownKind", "Bad_Name.x", (SUBDOMAIN,)),
        ("Service", "1abc", (DNS1035,)),
        ("Service", "a.b", (DNS1035,)),
        ("Service", "a" * 70, ("must be no more than 63 characters",)),
        ("Namespace", "a.b", ("must not contain dots",)),
        ("namespace", "9a.b", ("must not contain dots",)),  # kinds match case-insensitively
        ("Namespace", "A.b", (LABEL,)),
        ("Namespace", "a_b", (LABEL,)),
        ("Role", "Bad_Name.x", ()),
        ("ClusterRoleBinding", "..", ("may not be '..'",)),
        ("RoleBinding", "a/b%c", ("may not contain '/'", "may not contain '%'")),
        ("CertificateSigningRequest", "Anything Goes", ()),
    ],
)  # fmt: skip
def test_metadata_name(kind: str, name: str, problems: tuple[str, ...]) -> None:
    expected = name_error(name, *problems) if problems else None
    assert lint.validate_metadata_name(kind, name) == expected


@pytest.mark.parametrize(
    ("api_version", "kind", "kube", "expected"),
    [
        ("policy/v1beta1", "PodDisruptionBudget", None,
         "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget"),
        ("policy/v1beta1", "PodDisruptionBudget", "1.20.0", None),
        ("policy/v1beta1", "PodDisruptionBudget", "1.21.0", "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget"),
        ("extensions/v1beta1", "Ingress", "1.22.0",
         "extensions/v1beta1 Ingress is deprecated in v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress"),
        ("batch/v1beta1", "CronJob", None, "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob"),
        ("apps/v1beta1", "Scale", None, "apps/v1beta1 Scale is deprecated in v1.8+, unavailable in v1.16+; use autoscaling/v1 Scale"),
        ("v1", "ComponentStatus", None, "v1 ComponentStatus is deprecated in v1.19+"),
        ("v1", "Endpoints", "1.32", None),
        ("v1", "Endpoints", "1.33", "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"),
        # Kubernetes' own replacement quirks, reproduced.
        ("networking.k8s.io/v1beta1", "IngressClass", None,
         "networking.k8s.io/v1beta1 IngressClass is deprecated in v1.19+, unavailable in v1.22+; use networking.k8s.io/v1 IngressClassList"),
        ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy", "1.36", None),
        ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy", None,
         ("admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicy is deprecated in v1.37+, unavailable in v1.40+; "
         "use admissionregistration.k8s.io/v1 MutatingAdmissionPolicy")),
        ("lifecycle.k8s.io/v1alpha1", "Eviction", "2.0", "lifecycle.k8s.io/v1alpha1 Eviction is deprecated in v1.40+, unavailable in v1.43+"),
        # No longer in Helm 4.3.1's scheme, so not reported.
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", None, None),
        ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", None, None),
        ("apps/v1", "Deployment", None, None),
        ("example.com/v1alpha1", "Widget", None, None),
    ],
)  # fmt: skip
def test_deprecation_warning(api_version: str, kind: str, kube: str | None, expected: str | None) -> None:
    version = KubeVersion.parse(kube) if kube else None
    assert lint.deprecation_warning(api_version, kind, version) == expected


# --- Whole charts: Helm's rule test charts (helm-behaviour.md §5.2) ----------------------------

UNABLE_TO_LOAD = "[ERROR] : unable to load chart\n\t"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("goodone", []),
        ("withsubchart", []),
        ("badchartfile", [
            "[ERROR] Chart.yaml: name is required",
            '[ERROR] Chart.yaml: apiVersion is required. The value must be either "v1" or "v2"',
            "[ERROR] Chart.yaml: version '0.0.0.0' is not a valid SemVer",
            "[INFO] Chart.yaml: icon is recommended",
            "[ERROR] Chart.yaml: chart type is not valid in apiVersion ''. It is valid in apiVersion 'v2'",
            "[ERROR] Chart.yaml: dependencies are not valid in the Chart file with apiVersion ''. They are valid in apiVersion 'v2'",
            "[WARNING] Chart.yaml: version '0.0.0.0' is not a valid SemVerV2",
            "[WARNING] templates/: directory does not exist",
            UNABLE_TO_LOAD,
        ]),
        ("badchartname", [
            '[ERROR] Chart.yaml: chart name "../badchartname" is invalid',
            "[INFO] Chart.yaml: icon is recommended",
            "[INFO] values.yaml: file does not exist",
            "[WARNING] templates/: directory does not exist",
            UNABLE_TO_LOAD,
        ]),
        ("anotherbadchartfile", [
            "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
            "[ERROR] Chart.yaml: version '7.2445e+06' is not a valid SemVer",
            "[ERROR] Chart.yaml: appVersion should be of type string but it's of type float64",
            "[WARNING] Chart.yaml: version '7.2445e+06' is not a valid SemVerV2",
            "[INFO] values.yaml: file does not exist",
            "[WARNING] templates/: directory does not exist",
            UNABLE_TO_LOAD,
        ]),
        ("invalidchartfile", [
            ("[WARNING] Chart.yaml: failed to strictly parse chart metadata file\n"
            "\terror converting YAML to JSON: yaml: unmarshal errors:\n"
            '  line 3: key "apiVersion" already set in map'),
            "[WARNING] templates/: directory does not exist",
        ]),
        ("badvaluesfile", ["[ERROR] values.yaml: unable to parse YAML: ", "[ERROR] templates/: ", UNABLE_TO_LOAD]),
        ("badcrdfile", [
            "[ERROR] crds/bad-apiversion.yaml: apiVersion is not in 'apiextensions.k8s.io'",
            "[ERROR] crds/bad-crd.yaml: object kind is not 'CustomResourceDefinition'",
        ]),
        ("invalidcrdsdir", ["[WARNING] templates/: directory does not exist", "[ERROR] crds/: not a directory"]),
        ("malformed-template", ["[ERROR] templates/bad.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line "]),
        ("multi-template-fail", [
            "[INFO] Chart.yaml: icon is recommended",
            "[INFO] values.yaml: file does not exist",
            "[WARNING] templates/multi-fail.yaml: " + name_error("-this:name-is-not_valid$", SUBDOMAIN),
        ]),
        ("albatross", ["[ERROR] templates/: "]),
        ("chart-with-only-crds", ["[WARNING] templates/: directory does not exist"]),
        ("lint-mode", []),  # required and fail are no-ops while linting
        ("alpine", ["[INFO] Chart.yaml: icon is recommended"]),
    ],
)  # fmt: skip
def test_helm_rule_charts(fixture: str, expected: list[str]) -> None:
    """Each message equals the expected text, or starts with it where Helm quotes a Go library."""
    got = rendered(lint.lint_chart(FIXTURES / fixture))
    assert len(got) == len(expected), got
    for message, want in zip(got, expected):
        if want.endswith((": ", "\n\t", "line ")):
            assert message.startswith(want), (message, want)
        else:
            assert message == want


def test_template_rules_chart() -> None:
    got = rendered(lint.lint_chart(FIXTURES / "template-rules"))
    assert got == [
        "[ERROR] templates/config.json: file extension '.json' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt",
        "[WARNING] templates/cronjob.yaml: batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob",
        '[ERROR] templates/deployment.yaml: a Deployment must contain matchLabels or matchExpressions, and "web" does not',
        '[WARNING] templates/indented.yaml: document starts with an illegal indent: "  apiVersion: v1", which may cause parsing problems',
        "[WARNING] templates/ingress.yaml: extensions/v1beta1 Ingress is deprecated in v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress",
        "[ERROR] templates/list.yaml: annotation 'helm.sh/resource-policy' within List objects are ignored",
        "[WARNING] templates/names.yaml: " + name_error("1-service", DNS1035),
        "[WARNING] templates/names.yaml: " + name_error("team.a", "must not contain dots"),
        "[WARNING] templates/names.yaml: " + name_error("a/b", "may not contain '/'"),
        "[WARNING] templates/pdb.yaml: policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget",
    ]  # fmt: skip


def test_deprecations_follow_the_kube_version() -> None:
    chart = FIXTURES / "chart-with-deprecated-api"
    old = rendered(lint.lint_templates(chart, kube_version=KubeVersion.parse("1.20.0")))
    new = rendered(lint.lint_templates(chart, kube_version=KubeVersion.parse("1.22.0")))
    assert old == []
    assert new == [
        ("[WARNING] templates/poddisruptionbudget.yaml: policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, "
        "unavailable in v1.25+; use policy/v1 PodDisruptionBudget")
    ]


# --- Rule groups ------------------------------------------------------------------------------


def test_selector_is_searched_in_the_whole_file(tmp_path: Path) -> None:
    # Helm greps the rendered file, so a selector in a sibling document satisfies the rule.
    chart = make_chart(tmp_path, {"templates/apps.yaml": (
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ds\n---\n"
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: ss\nspec:\n  selector:\n    matchExpressions: []\n"
    )})  # fmt: skip
    assert lint.lint_templates(chart) == []


def test_first_unparsable_document_ends_the_template_rules(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {
        "templates/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Before\n---\na: [\n---\nkind: X\n",
        "templates/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Never_Checked\n",
    })  # fmt: skip
    got = rendered(lint.lint_templates(chart))
    assert got[0] == "[WARNING] templates/a.yaml: " + name_error("Before", SUBDOMAIN)
    assert got[1].startswith("[ERROR] templates/a.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line ")
    assert len(got) == 2


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("just a string\n", "cannot unmarshal string into Go value of type rules.k8sYamlStruct"),
        ("- a\n", "cannot unmarshal array into Go value of type rules.k8sYamlStruct"),
        ("kind: ConfigMap\nmetadata: foo\n", "cannot unmarshal string into Go struct field .metadata of type rules.k8sYamlMetadata"),
        ("kind: [a]\n", "cannot unmarshal array into Go struct field .kind of type string"),
    ],
)
def test_documents_that_are_not_objects(tmp_path: Path, document: str, problem: str) -> None:
    chart = make_chart(tmp_path, {"templates/a.yaml": document})
    assert rendered(lint.lint_templates(chart)) == [
        f"[ERROR] templates/a.yaml: unable to parse YAML: error unmarshaling JSON: while decoding JSON: json: {problem}"
    ]


def test_scalar_names_and_kinds_are_strings(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"templates/a.yaml": "apiVersion: v1\nkind: 5\nmetadata:\n  name: 123\n"})
    assert lint.lint_templates(chart) == []


def test_bad_document_separator(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"templates/a.yaml": "a: 1\n--- b: 2\n"})
    assert rendered(lint.lint_templates(chart)) == [
        "[ERROR] templates/a.yaml: unable to parse YAML: invalid Yaml document separator: b: 2"
    ]


def test_go_template_chart_renders_like_any_chart(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"values.yaml": "x: 1\n", "templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{{ .Values.x }}\n")},
                       chart_yaml="apiVersion: v2\nname: gochart\nversion: 0.1.0\n")
    assert rendered(lint.lint_chart(chart)) == ["[INFO] Chart.yaml: icon is recommended"]


def test_render_uses_lint_release_and_namespace(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-{{ Release.Namespace }}"
        "-{{ Release.Revision }}-{{ Release.IsInstall }}\n"
    )})  # fmt: skip
    assert rendered(lint.lint_templates(chart, namespace="Ops")) == [
        "[WARNING] templates/cm.yaml: " + name_error("test-release-Ops-0-false", SUBDOMAIN)
    ]


def test_values_overrides_and_schema(tmp_path: Path) -> None:
    chart = FIXTURES / "schema-violation"
    failing = lint.lint_values(chart)
    assert [(m.severity, m.path) for m in failing] == [(ERROR, "values.yaml")]
    assert failing[0].text.startswith("- at '': ") and "\n- at '/replicas': " in failing[0].text
    assert failing[0].text.endswith("\n")
    assert lint.lint_values(chart, {"name": "x", "replicas": 2}) == []
    assert lint.lint_values(chart, skip_schema_validation=True) == []
    templates = lint.lint_templates(chart)
    assert [(m.severity, m.path) for m in templates] == [(ERROR, "templates/")]
    assert templates[0].text.startswith("values don't meet the specifications of the schema(s)")
    assert lint.lint_chart(chart, values={"name": "x", "replicas": 2}) == []


def test_values_file_problems(tmp_path: Path) -> None:
    missing = make_chart(tmp_path / "a", {})
    assert rendered(lint.lint_values(missing)) == ["[INFO] values.yaml: file does not exist"]
    broken = make_chart(tmp_path / "b", {"values.yaml": "a: [\n"})
    [message] = lint.lint_values(broken)
    assert message.severity is ERROR and message.text.startswith("unable to parse YAML: ")


def test_dependency_rules_name_the_chart_directory() -> None:
    missing = FIXTURES / "missing-deps"
    assert rendered(lint.lint_dependencies(missing)) == [
        f"[WARNING] {missing.resolve()}: chart directory is missing these dependencies: mariadb,redis"
    ]
    stray = FIXTURES / "undeclared-subchart"
    assert rendered(lint.lint_dependencies(stray)) == [
        f"[ERROR] {stray.resolve()}: chart metadata is missing these dependencies: stray"
    ]


def test_duplicate_dependencies() -> None:
    from helmlite.chart.model import Chart, ChartMetadata, Dependency

    deps = (Dependency("db"), Dependency("db"), Dependency("other", alias="cache"), Dependency("cache"))
    chart = Chart(ChartMetadata(name="x", version="1.0.0", dependencies=deps))
    assert lint.validate_dependencies_unique(chart) == "multiple dependencies with name or alias: db,cache"


def test_unloadable_chart_is_one_dependency_error(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {}, chart_yaml="description: no name\n")
    [message] = lint.lint_dependencies(chart)
    assert (message.severity, message.path) == (ERROR, "")
    assert message.text.startswith("unable to load chart\n\t")


def test_crds_of_subcharts_and_templated_crds(tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {
        "crds/ok.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n",
        "crds/notes.txt": "not a CRD file",
        "crds/multi.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n---\n---\napiVersion: v1\nkind: Foo\n",
        "charts/sub/Chart.yaml": f"apiVersion: v2\nname: sub\nversion: 0.1.0\n{NATIVE}",
        "charts/sub/crds/sub.json": '{"apiVersion": "x/v1", "kind": "CustomResourceDefinition"}',
    })  # fmt: skip
    assert rendered(lint.lint_crds(chart)) == [
        "[ERROR] crds/multi.yaml: apiVersion is not in 'apiextensions.k8s.io'",
        "[ERROR] crds/multi.yaml: object kind is not 'CustomResourceDefinition'",
        "[ERROR] crds/sub.json: apiVersion is not in 'apiextensions.k8s.io'",
    ]
    templated = make_chart(tmp_path / "t", {"crds/a.yaml": "kind: CustomResourceDefinition\nmetadata:\n  name: {{ .Values.x }}\n"})
    [message] = lint.lint_crds(templated)
    assert message.path == "crds/a.yaml" and message.text.startswith("unable to parse YAML: ")


def test_no_crds_directory_is_fine(tmp_path: Path) -> None:
    assert lint.lint_crds(make_chart(tmp_path, {})) == []


def test_rule_order_and_copy_safety(tmp_path: Path) -> None:
    # Chartfile → Values → Templates → Dependencies → CRDs.
    chart = make_chart(tmp_path, {"crds": "not a dir"}, chart_yaml=f"apiVersion: v2\nname: demo\nversion: 1.0\n{NATIVE}")
    shutil.copytree(FIXTURES / "missing-deps" / "templates", chart / "templates")
    got = rendered(lint.lint_chart(chart))
    assert got == [
        "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
        "[INFO] Chart.yaml: icon is recommended",
        "[WARNING] Chart.yaml: version '1' is not a valid SemVerV2",
        "[INFO] values.yaml: file does not exist",
        "[ERROR] crds/: not a directory",
    ]
