"""Built-in kinds public charts create (admission webhooks and policies, APIService, RuntimeClass,
CSI and DRA kinds…): served, defaulted and validated as the API server does; and ``null``
members of string maps (``data: {tls.crt: null}``), which Go's JSON decoding keeps as empty."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster, InvalidError


def webhook(**overrides: Any) -> dict[str, Any]:
    hook = {"name": "prometheusrulemutate.monitoring.coreos.com", "sideEffects": "None",
            "admissionReviewVersions": ["v1", "v1beta1"],
            "clientConfig": {"service": {"name": "operator", "namespace": "default", "path": "/admission"}},
            "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": ["monitoring.coreos.com"],
                       "apiVersions": ["*"], "resources": ["prometheusrules"]}]}
    hook.update(overrides)
    return hook


def webhook_configuration(kind: str, *hooks: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": {"name": "r-admission"},
            "webhooks": list(hooks)}


def invalid(cluster: Cluster, obj: dict[str, Any]) -> str:
    with pytest.raises(InvalidError) as caught:
        cluster.store.create(obj)
    return str(caught.value)


@pytest.mark.parametrize(("api_version", "kind", "namespaced"), [
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", False),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", False),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", False),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", False),
    ("apiregistration.k8s.io/v1", "APIService", False),
    ("certificates.k8s.io/v1", "CertificateSigningRequest", False),
    ("node.k8s.io/v1", "RuntimeClass", False),
    ("storage.k8s.io/v1", "CSIDriver", False),
    ("storage.k8s.io/v1", "CSINode", False),
    ("storage.k8s.io/v1", "CSIStorageCapacity", True),
    ("storage.k8s.io/v1", "VolumeAttachment", False),
    ("storage.k8s.io/v1", "VolumeAttributesClass", False),
    ("resource.k8s.io/v1", "DeviceClass", False),
    ("resource.k8s.io/v1", "ResourceClaim", True),
    ("resource.k8s.io/v1", "ResourceClaimTemplate", True),
    ("resource.k8s.io/v1", "ResourceSlice", False),
])
def test_built_in_kinds_charts_use_are_served(cluster: Cluster, api_version: str, kind: str, namespaced: bool) -> None:
    served, version = cluster.kinds.resolve(api_version, kind)
    assert (served.namespaced, served.builtin, version) == (namespaced, True, api_version.rsplit("/", 1)[1])


def test_api_extension_kinds_share_the_api_extensions_category(cluster: Cluster) -> None:
    assert sorted(k.kind for k in cluster.kinds if "api-extensions" in k.categories) == [
        "APIService", "CustomResourceDefinition", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration"]
    assert cluster.kinds.lookup_resource("csr").kind == "CertificateSigningRequest"


def test_webhook_configurations_are_defaulted_like_admissionregistration_v1(cluster: Cluster) -> None:
    created = cluster.store.create(webhook_configuration("MutatingWebhookConfiguration", webhook()))
    hook = created["webhooks"][0]
    assert {k: hook[k] for k in ("failurePolicy", "matchPolicy", "namespaceSelector", "objectSelector",
                                 "timeoutSeconds", "reinvocationPolicy")} == {
        "failurePolicy": "Fail", "matchPolicy": "Equivalent", "namespaceSelector": {}, "objectSelector": {},
        "timeoutSeconds": 10, "reinvocationPolicy": "Never"}
    assert hook["rules"][0]["scope"] == "*"
    assert hook["clientConfig"]["service"]["port"] == 443
    assert created["metadata"]["generation"] == 1
    validating = cluster.store.create(webhook_configuration("ValidatingWebhookConfiguration", webhook()))
    assert "reinvocationPolicy" not in validating["webhooks"][0]


def test_webhook_configuration_validation_messages(cluster: Cluster) -> None:
    message = invalid(cluster, webhook_configuration(
        "ValidatingWebhookConfiguration",
        webhook(name="short.name", sideEffects=None, timeoutSeconds=31, failurePolicy="Retry"),
        webhook(admissionReviewVersions=["v2"], clientConfig={}),
        webhook(admissionReviewVersions=["v2"], clientConfig={}),
    ))
    assert message == (
        'ValidatingWebhookConfiguration.admissionregistration.k8s.io "r-admission" is invalid: ['
        'webhooks[0].name: Invalid value: "short.name": should be a domain with at least three segments separated '
        'by dots, '
        'webhooks[0].failurePolicy: Unsupported value: "Retry": supported values: "Fail", "Ignore", '
        'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun, '
        'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds, '
        'webhooks[1].clientConfig: Required value: exactly one of url or service is required, '
        'webhooks[1].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, '
        'v1beta1, '
        'webhooks[2].clientConfig: Required value: exactly one of url or service is required, '
        'webhooks[2].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, '
        'v1beta1, '
        'webhooks[2].name: Duplicate value: "prometheusrulemutate.monitoring.coreos.com"]')


def test_validating_admission_policy_and_binding(cluster: Cluster) -> None:
    rule = {"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
            "resources": ["deployments"]}
    policy: dict[str, Any] = {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "replica-limit"},
        "spec": {"matchConstraints": {"resourceRules": [rule]},
                 "validations": [{"expression": "object.spec.replicas <= 5"}]}}
    created = cluster.store.create(policy)
    assert created["spec"]["failurePolicy"] == "Fail"
    assert created["spec"]["matchConstraints"]["matchPolicy"] == "Equivalent"
    assert invalid(cluster, {**policy, "metadata": {"name": "empty"}, "spec": {}}) == (
        'ValidatingAdmissionPolicy.admissionregistration.k8s.io "empty" is invalid: ['
        'spec.matchConstraints: Required value, '
        'spec.validations: Required value: validations or auditAnnotations must contain at least one item, '
        'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item]')
    binding: dict[str, Any] = {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": "replica-limit"}, "spec": {"policyName": "replica-limit"}}
    assert invalid(cluster, binding) == (
        'ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io "replica-limit" is invalid: '
        'spec.validationActions: Required value: at least one validation action is required')
    binding["spec"]["validationActions"] = ["Deny"]
    assert cluster.store.create(binding)["spec"]["validationActions"] == ["Deny"]


def test_api_service_name_must_be_version_dot_group(cluster: Cluster) -> None:
    service: dict[str, Any] = {
        "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1beta1.metrics.k8s.io"},
        "spec": {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100, "versionPriority": 100,
                 "insecureSkipTLSVerify": True, "service": {"name": "metrics-server", "namespace": "kube-system"}}}
    assert cluster.store.create(service)["spec"]["service"]["port"] == 443
    wrong = {**service, "metadata": {"name": "metrics"}, "spec": {**service["spec"], "versionPriority": 0}}
    assert invalid(cluster, wrong) == (
        'APIService.apiregistration.k8s.io "metrics" is invalid: ['
        'metadata.name: Invalid value: "metrics": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io", '
        'spec.versionPriority: Invalid value: 0: must be positive and less than 1000]')


def test_runtime_class_handler_is_a_dns_label_and_immutable(cluster: Cluster) -> None:
    runtime_class = {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "gvisor"},
                     "handler": "runsc"}
    cluster.store.create(runtime_class)
    with pytest.raises(InvalidError, match=r'handler: Invalid value: "kata": field is immutable'):
        cluster.store.replace({**runtime_class, "handler": "kata"})


def test_csi_driver_defaults(cluster: Cluster) -> None:
    created = cluster.store.create({"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver",
                                    "metadata": {"name": "ebs.csi.aws.com"}, "spec": {}})
    assert created["spec"] == {"attachRequired": True, "podInfoOnMount": False, "storageCapacity": False,
                               "fsGroupPolicy": "ReadWriteOnceWithFSType", "volumeLifecycleModes": ["Persistent"],
                               "requiresRepublish": False, "seLinuxMount": False}


# --- null members of string maps -----------------------------------------------------------------

def tls_secret(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "default"},
            "type": "kubernetes.io/tls", "data": {"tls.crt": None, "tls.key": None}}


def test_null_secret_data_is_kept_as_empty_values_on_create_and_apply(cluster: Cluster) -> None:
    assert cluster.store.create(tls_secret("created"))["data"] == {"tls.crt": "", "tls.key": ""}
    assert cluster.store.apply(tls_secret("applied"), field_manager="helm")["data"] == {"tls.crt": "", "tls.key": ""}


def test_null_string_map_members_become_empty_strings(cluster: Cluster) -> None:
    created = cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "c", "namespace": "default", "labels": {"tier": None}},
                                    "data": {"key": None}})
    assert (created["data"], created["metadata"]["labels"]) == ({"key": ""}, {"tier": ""})


def test_a_tls_secret_without_data_is_rejected_as_by_the_api_server(cluster: Cluster) -> None:
    # What bitnami/nginx renders with tls.autoGenerated=false and no certificate: "data:" is null.
    secret = {**tls_secret("r-nginx-tls"), "data": None}
    assert invalid(cluster, secret) == (
        'Secret "r-nginx-tls" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]')
