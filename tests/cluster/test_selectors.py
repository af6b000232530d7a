"""Label and field selector syntax and semantics, as a table."""

from __future__ import annotations

import pytest

from helmlite.cluster import BadRequestError, FieldSelector, LabelSelector

LABELS = {"app": "web", "tier": "frontend", "env": "prod", "replicas": "3"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app=db", False),
        ("app!=db", True),
        ("app!=web", False),
        ("missing!=x", True),
        ("app", True),
        ("missing", False),
        ("!missing", True),
        ("!app", False),
        ("env in (prod,staging)", True),
        ("env in (dev)", False),
        ("missing in (x)", False),
        ("env notin (dev,staging)", True),
        ("env notin (prod)", False),
        ("missing notin (x)", True),
        ("app=web,tier=frontend", True),
        ("app=web,tier=backend", False),
        ("app=web, env in (prod), !legacy", True),
        ("replicas>2", True),
        ("replicas<3", False),
        ("example.com/team", False),
    ],
)
def test_label_selector_strings(selector: str, matches: bool) -> None:
    assert LabelSelector.parse(selector).matches(LABELS) is matches


@pytest.mark.parametrize("bad", ["=web", "app in ()", "app in (a b)", "a b", "replicas>x", "app in a"])
def test_label_selector_syntax_errors(bad: str) -> None:
    with pytest.raises(BadRequestError, match="unable to parse requirement"):
        LabelSelector.parse(bad)


def test_empty_value_selects_empty_labels() -> None:
    assert LabelSelector.parse("app=").matches({"app": ""})
    assert not LabelSelector.parse("app=").matches({"app": "web"})


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ({}, True),
        ({"matchLabels": {"app": "web"}}, True),
        ({"matchLabels": {"app": "db"}}, False),
        ({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}, True),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
        ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}, True),
    ],
)
def test_label_selector_objects(selector: dict[str, object], matches: bool) -> None:
    assert LabelSelector.from_label_selector(selector).matches(LABELS) is matches


def test_nil_selector_matches_nothing_and_empty_everything() -> None:
    assert not LabelSelector.from_label_selector(None).matches(LABELS)
    assert LabelSelector.from_label_selector({}).matches({})
    assert LabelSelector.parse(None).empty


def test_bad_operator_in_label_selector_object() -> None:
    with pytest.raises(BadRequestError):
        LabelSelector.from_label_selector({"matchExpressions": [{"key": "a", "operator": "Near"}]})
    with pytest.raises(BadRequestError):
        LabelSelector.from_label_selector({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]})


def test_selector_prints_canonically() -> None:
    selector = LabelSelector.from_label_selector({
        "matchLabels": {"tier": "fe", "app": "web"},
        "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["qa", "dev"]},
                             {"key": "beta", "operator": "Exists"}],
    })
    assert str(selector) == "app=web,beta,env notin (dev,qa),tier=fe"
    assert str(LabelSelector.from_set({"b": "2", "a": "1"})) == "a=1,b=2"


POD = {"metadata": {"name": "web-1", "namespace": "default"},
       "spec": {"nodeName": "node-1", "restartPolicy": "Always"}, "status": {"phase": "Running"}}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("metadata.name=web-1", True),
        ("metadata.name==web-1", True),
        ("metadata.name!=web-1", False),
        ("metadata.namespace=default,status.phase=Running", True),
        ("spec.nodeName=node-2", False),
        ("spec.nodeName!=node-2", True),
        ("status.phase=Pending", False),
        ("spec.hostNetwork=false", True),
    ],
)
def test_field_selectors(selector: str, matches: bool) -> None:
    assert FieldSelector.parse(selector, "", "Pod").matches(POD) is matches


def test_unsupported_field_label() -> None:
    with pytest.raises(BadRequestError, match="^field label not supported: spec.containers$"):
        FieldSelector.parse("spec.containers=x", "", "Pod")
    with pytest.raises(BadRequestError, match="field label not supported: status.phase"):
        FieldSelector.parse("status.phase=Running", "apps", "Deployment")


def test_event_field_selectors() -> None:
    event = {"metadata": {"name": "e", "namespace": "default"},
             "involvedObject": {"kind": "Deployment", "name": "web"}, "source": {"component": "deployment-controller"},
             "reason": "ScalingReplicaSet", "type": "Normal"}
    selector = FieldSelector.parse("involvedObject.kind=Deployment,involvedObject.name=web,source=deployment-controller",
                                   "", "Event")
    assert selector.matches(event)
