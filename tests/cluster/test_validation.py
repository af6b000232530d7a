"""Validation errors with the API server's exact texts (kubernetes-simulation.md §4.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helmlite.cluster import BadRequestError, Cluster, ForbiddenError, InvalidError
from helmlite.cluster.validation import cron_schedule_error

from .manifests import clone, configmap, deployment, pod

NS = "default"
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
             "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
         "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
           "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
           "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
               "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
               "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def invalid(action: Callable[[], Any]) -> InvalidError:
    with pytest.raises(InvalidError) as err:
        action()
    assert err.value.code == 422 and err.value.reason == "Invalid"
    return err.value


def test_invalid_object_name(cluster: Cluster) -> None:
    err = invalid(lambda: cluster.store.create(deployment("Web_1")))
    assert str(err) == f'Deployment.apps "Web_1" is invalid: metadata.name: Invalid value: "Web_1": {SUBDOMAIN}'
    assert err.to_status()["details"] == {
        "name": "Web_1", "group": "apps", "kind": "Deployment",
        "causes": [{"reason": "FieldValueInvalid", "message": f'Invalid value: "Web_1": {SUBDOMAIN}',
                    "field": "metadata.name"}]}


def test_name_required(cluster: Cluster) -> None:
    manifest = configmap("x")
    del manifest["metadata"]["name"]
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required')


def test_namespace_names_are_labels(cluster: Cluster) -> None:
    err = invalid(lambda: cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}))
    assert str(err) == f'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": {LABEL}'


def test_service_names_are_dns1035_labels(cluster: Cluster) -> None:
    manifest = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "1web"}, "spec": {"ports": [{"port": 80}]}}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        f'Service "1web" is invalid: metadata.name: Invalid value: "1web": {DNS1035}')


def test_too_long_name_reports_both_problems(cluster: Cluster) -> None:
    name = "x" * 254
    err = invalid(lambda: cluster.store.create(configmap(name)))
    assert [c.detail for c in err.causes] == ["must be no more than 253 characters"]
    err = invalid(lambda: cluster.store.create(configmap("X" * 254)))
    assert str(err).startswith('ConfigMap "' + "X" * 254 + '" is invalid: [metadata.name: Invalid value: "')
    assert [c.detail for c in err.causes] == ["must be no more than 253 characters", SUBDOMAIN]


def test_label_values_and_keys(cluster: Cluster) -> None:
    manifest = configmap("c")
    manifest["metadata"]["labels"] = {"app": "bad value"}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        f'ConfigMap "c" is invalid: metadata.labels: Invalid value: "bad value": {LABEL_VALUE}')
    manifest["metadata"]["labels"] = {"bad key!": "x"}
    assert "metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters" in str(
        invalid(lambda: cluster.store.create(manifest)))


def test_selector_must_match_template_labels(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: '
        'map[string]string{"app":"other"}: `selector` does not match template `labels`')


@pytest.mark.parametrize(("kind", "what"), [("Deployment", "deployment"), ("ReplicaSet", "deployment"),
                                            ("StatefulSet", "statefulset"), ("DaemonSet", "daemonset")])
def test_empty_selector(cluster: Cluster, kind: str, what: str) -> None:
    manifest = deployment()
    manifest["kind"] = kind
    manifest["spec"]["selector"] = {}
    assert (f'spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string(nil), '
            f'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: empty selector is invalid for {what}'
            ) in str(invalid(lambda: cluster.store.create(manifest)))


def test_selector_required(cluster: Cluster) -> None:
    manifest = deployment()
    del manifest["spec"]["selector"]
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Deployment.apps "web" is invalid: spec.selector: Required value')


def test_containers_and_image_required(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["template"]["spec"]["containers"] = []
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Deployment.apps "web" is invalid: spec.template.spec.containers: Required value')
    manifest = pod("p")
    del manifest["spec"]["containers"][0]["image"]
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Pod "p" is invalid: spec.containers[0].image: Required value')


def test_container_names(cluster: Cluster) -> None:
    manifest = pod("p")
    manifest["spec"]["containers"].append({"name": "app", "image": "x"})
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Pod "p" is invalid: spec.containers[1].name: Duplicate value: "app"')


def test_volume_mount_must_name_a_volume(cluster: Cluster) -> None:
    manifest = pod("p")
    manifest["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Pod "p" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data"')


def test_container_port_range(cluster: Cluster) -> None:
    manifest = pod("p")
    manifest["spec"]["containers"][0]["ports"] = [{"containerPort": 70000}]
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: '
        "must be between 1 and 65535, inclusive")


def test_requests_must_not_exceed_limits(cluster: Cluster) -> None:
    manifest = pod("p")
    manifest["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "2": '
        "must be less than or equal to cpu limit of 1")


def test_malformed_quantity_is_a_bad_request(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"memory": "1 Gi"}}
    with pytest.raises(BadRequestError) as err:
        cluster.store.create(manifest)
    assert str(err.value) == ('Deployment in version "v1" cannot be handled as a Deployment: quantities must match '
                              "the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


def test_workload_restart_policy(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Deployment.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "OnFailure": '
        'supported values: "Always"')


def test_deployment_strategy_rules(cluster: Cluster) -> None:
    manifest = deployment()
    manifest["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: '
        "may not be 0 when `maxSurge` is 0")
    manifest["spec"]["strategy"] = {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate: Forbidden: '
        "may not be specified when strategy `type` is 'Recreate'")
    manifest["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "110%"}}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "110%": '
        "must not be greater than 100%")
    manifest = deployment()
    manifest["spec"].update(minReadySeconds=30, progressDeadlineSeconds=10)
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Deployment.apps "web" is invalid: spec.progressDeadlineSeconds: Invalid value: 10: '
        "must be greater than minReadySeconds")


def test_negative_replicas(cluster: Cluster) -> None:
    assert str(invalid(lambda: cluster.store.create(deployment(replicas=-1)))) == (
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')


def test_several_errors_are_bracketed(cluster: Cluster) -> None:
    manifest = deployment("Bad_Name", replicas=-1)
    err = invalid(lambda: cluster.store.create(manifest))
    assert str(err) == (f'Deployment.apps "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name": '
                        f"{SUBDOMAIN}, spec.replicas: Invalid value: -1: must be greater than or equal to 0]")
    assert len(err.to_status()["details"]["causes"]) == 2


# --- immutable fields ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "DaemonSet"])
def test_selector_is_immutable(cluster: Cluster, kind: str) -> None:
    manifest = deployment()
    manifest["kind"] = kind
    cluster.store.create(manifest)
    changed = clone(manifest)
    changed["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "fe"}}
    changed["spec"]["template"]["metadata"]["labels"] = {"app": "web", "tier": "fe"}
    assert str(invalid(lambda: cluster.store.replace(changed))) == (
        f'{kind}.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:'
        'map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: '
        "field is immutable")


def statefulset() -> dict[str, Any]:
    manifest = deployment("db")
    manifest["kind"] = "StatefulSet"
    manifest["spec"]["serviceName"] = "db"
    return manifest


def test_statefulset_spec_updates_are_limited(cluster: Cluster) -> None:
    cluster.store.create(statefulset())
    allowed = statefulset()
    allowed["spec"].update(replicas=5, minReadySeconds=3, revisionHistoryLimit=2)
    allowed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    allowed["spec"]["updateStrategy"] = {"type": "OnDelete"}
    cluster.store.replace(allowed)
    forbidden = clone(allowed)
    forbidden["spec"]["serviceName"] = "other"
    assert str(invalid(lambda: cluster.store.replace(forbidden))) == (
        'StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than '
        "'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
        "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")


def test_statefulset_names_are_labels(cluster: Cluster) -> None:
    manifest = statefulset()
    manifest["metadata"]["name"] = "db.primary"
    assert f'metadata.name: Invalid value: "db.primary": {LABEL}' in str(
        invalid(lambda: cluster.store.create(manifest)))


def test_service_cluster_ip_is_immutable(cluster: Cluster) -> None:
    created = cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                                    "spec": {"ports": [{"port": 80}]}})
    headless = clone(created)
    headless["spec"]["clusterIP"] = "None"
    headless["spec"]["clusterIPs"] = ["None"]
    assert str(invalid(lambda: cluster.store.replace(headless))) == (
        'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set')


def job() -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
            "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl"}], "restartPolicy": "Never"}}}}


def test_job_template_and_completions_are_immutable(cluster: Cluster) -> None:
    created = cluster.store.create(job())
    changed = clone(created)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:2"
    err = invalid(lambda: cluster.store.replace(changed))
    assert [(c.field, c.detail) for c in err.causes] == [("spec.template", "field is immutable")]
    changed = clone(created)
    changed["spec"]["completions"] = 5
    assert str(invalid(lambda: cluster.store.replace(changed))) == (
        'Job.batch "pi" is invalid: spec.completions: Invalid value: 5: field is immutable')
    changed = clone(created)
    changed["spec"]["selector"] = {"matchLabels": {"job-name": "pi"}}
    assert ("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"job-name\":\"pi\"}, "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable") in str(
        invalid(lambda: cluster.store.replace(changed)))
    changed = clone(created)
    changed["spec"]["parallelism"] = 4  # parallelism may change
    assert cluster.store.replace(changed)["spec"]["parallelism"] == 4


def test_job_restart_policy(cluster: Cluster) -> None:
    manifest = job()
    del manifest["spec"]["template"]["spec"]["restartPolicy"]
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": '
        'supported values: "OnFailure", "Never"')


def test_job_selector_must_be_generated(cluster: Cluster) -> None:
    manifest = job()
    manifest["spec"]["selector"] = {"matchLabels": {"app": "pi"}}
    assert "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"pi\"}, " \
           "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated" in str(
               invalid(lambda: cluster.store.create(manifest)))


def pvc(storage: str = "1Gi", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}, **spec}}


PVC_FORBIDDEN = ('PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except '
                 "resources.requests and volumeAttributesClassName for bound claims")


def test_pvc_spec_is_immutable(cluster: Cluster) -> None:
    created = cluster.store.create(pvc())
    assert created["spec"]["storageClassName"] == "standard"

    def resized(storage: str, storage_class: str = "standard") -> dict[str, Any]:
        claim = cluster.store.get("v1", "PersistentVolumeClaim", "data", namespace=NS)
        claim["spec"]["resources"]["requests"]["storage"] = storage
        claim["spec"]["storageClassName"] = storage_class
        return claim

    assert str(invalid(lambda: cluster.store.replace(resized("1Gi", "fast")))) == PVC_FORBIDDEN
    # Expansion needs a bound claim.
    assert str(invalid(lambda: cluster.store.replace(resized("2Gi")))) == PVC_FORBIDDEN
    bound = cluster.store.get("v1", "PersistentVolumeClaim", "data", namespace=NS)
    bound["status"] = {"phase": "Bound"}
    cluster.store.update_status(bound)
    assert cluster.store.replace(resized("2Gi"))["spec"]["resources"]["requests"]["storage"] == "2Gi"
    assert str(invalid(lambda: cluster.store.replace(resized("1Gi")))) == (
        'PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: '
        "field can not be less than previous value")


def test_pvc_required_fields(cluster: Cluster) -> None:
    manifest = pvc()
    manifest["spec"] = {}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'PersistentVolumeClaim "data" is invalid: [spec.accessModes: Required value: at least 1 access mode is '
        "required, spec.resources[storage]: Required value]")


def test_pod_spec_updates_are_limited(cluster: Cluster) -> None:
    created = cluster.store.create(pod("p"))
    image = clone(created)
    image["spec"]["containers"][0]["image"] = "nginx:2"
    cluster.store.replace(image)
    command = cluster.store.get("v1", "Pod", "p", namespace=NS)
    command["spec"]["containers"][0]["command"] = ["sleep"]
    assert str(invalid(lambda: cluster.store.replace(command))) == (
        'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than '
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
        "(allow it to be set to 1 if it was previously negative)")


def test_immutable_configmap(cluster: Cluster) -> None:
    manifest = configmap("c")
    manifest["immutable"] = True
    created = cluster.store.create(manifest)
    created["data"] = {"k": "new"}
    assert str(invalid(lambda: cluster.store.replace(created))) == (
        'ConfigMap "c" is invalid: data: Forbidden: field is immutable when `immutable` is set')


def test_config_keys(cluster: Cluster) -> None:
    assert str(invalid(lambda: cluster.store.create(configmap("c", data={"bad key": "v"})))) == (
        'ConfigMap "c" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of '
        "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
        "for validation is '[-._a-zA-Z0-9]+')")


# --- batch, autoscaling, networking, CRDs ---------------------------------------------------

def cronjob(name: str = "tick", schedule: str = "*/1 * * * *", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": schedule, "jobTemplate": {"spec": job()["spec"]}, **spec}}


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        ("*/1 * * * *", None),
        ("0 0 * * MON-FRI", None),
        ("@hourly", None),
        ("@every 5m", None),
        ("bad", "expected exactly 5 fields, found 1: [bad]"),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("61 * * * *", "end of range (61) above maximum (59): 61"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("5-2 * * * *", "beginning of range (5) beyond end of range (2): 5-2"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ],
)
def test_cron_schedules(schedule: str, error: str | None) -> None:
    assert cron_schedule_error(schedule) == error


def test_cronjob_validation(cluster: Cluster) -> None:
    assert str(invalid(lambda: cluster.store.create(cronjob(schedule="bad")))) == (
        'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: [bad]')
    long_name = "c" * 53
    assert f'metadata.name: Invalid value: "{long_name}": must be no more than 52 characters' in str(
        invalid(lambda: cluster.store.create(cronjob(long_name))))
    assert str(invalid(lambda: cluster.store.create(cronjob(timeZone="Mars/Olympus")))) == (
        'CronJob.batch "tick" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus')
    assert cluster.store.create(cronjob(timeZone="Europe/Paris"))["spec"]["timeZone"] == "Europe/Paris"


def test_hpa_validation(cluster: Cluster) -> None:
    manifest = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 5, "maxReplicas": 2}}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'HorizontalPodAutoscaler.autoscaling "web" is invalid: spec.maxReplicas: Invalid value: 2: '
        "must be greater than or equal to `minReplicas`")


def test_ingress_path_type_required(cluster: Cluster) -> None:
    manifest = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
                "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {
                    "service": {"name": "web", "port": {"number": 80}}}}]}}]}}
    assert str(invalid(lambda: cluster.store.create(manifest))) == (
        'Ingress.networking.k8s.io "web" is invalid: spec.rules[0].http.paths[0].pathType: Required value: '
        "pathType must be specified")


def test_crd_name_must_be_plural_dot_group(cluster: Cluster) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.org", "scope": "Namespaced",
                    "names": {"plural": "widgets", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True}]}}
    assert str(invalid(lambda: cluster.store.create(crd))) == (
        'CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: metadata.name: '
        'Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group')


# --- namespaces ---------------------------------------------------------------------------

def test_immortal_namespaces(cluster: Cluster) -> None:
    for name in ("default", "kube-system", "kube-public"):
        with pytest.raises(ForbiddenError) as err:
            cluster.store.delete("v1", "Namespace", name)
        assert str(err.value) == f'namespaces "{name}" is forbidden: this namespace may not be deleted'
        assert err.value.code == 403
