"""The protobuf schema of the Kubernetes kinds client-go's typed clients send: kubectl's
imperative ``create`` commands, Helm's release storage, ``kubectl create job --from``.

One table, message name → fields, read by ``protobuf.py``'s generic decoder and encoder.
Field numbers are the ``protobuf:"…"`` struct tags of ``kubernetes/api`` (``core/v1``,
``apps/v1``, ``batch/v1``, ``rbac/v1``, ``policy/v1``, ``networking/v1``,
``scheduling/v1``) and apimachinery ``meta/v1``, as of Kubernetes 1.37. Fields clients never
send on a write (most of ``status``, ephemeral containers, dynamic resource claims, in-tree
cloud volume plugins) are left out: the decoder skips unknown fields, as protobuf does.

Each message is written as ``"jsonName=number:type …"`` where ``type`` is

* a scalar: ``str``, ``int`` (int32/int64, zigzag-free varints), ``bool``, ``bytes`` (base64 in
  JSON);
* a well-known apimachinery type: ``Time`` (RFC 3339 in JSON), ``Quantity`` (a string),
  ``IntOrString`` (an int or a string), ``FieldsV1`` (embedded JSON);
* another message of this table;
* prefixed ``[]`` for a repeated field, ``{}`` for a ``map<string, type>``;
* suffixed ``?`` for a Go *pointer* field: written only when set, and an explicit zero
  (``replicas: 0``, ``emptyDir: {}``, ``optional: false``) is kept. Go's marshallers write
  non-pointer fields always, so a zero there means "unset" and is dropped, as JSON's
  ``omitempty`` would.

A ``_`` json name marks an embedded Go struct (``Probe``'s ``ProbeHandler``, ``Volume``'s
``VolumeSource``): a message on the wire, its fields inline in JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KINDS", "MESSAGES", "FieldSpec", "fields_of"]

_SCHEMA: dict[str, str] = {
    # --- apimachinery meta/v1 ------------------------------------------------------------------
    "ObjectMeta": "name=1:str generateName=2:str namespace=3:str selfLink=4:str uid=5:str resourceVersion=6:str "
                  "generation=7:int creationTimestamp=8:Time deletionTimestamp=9:Time? "
                  "deletionGracePeriodSeconds=10:int? labels=11:{}str annotations=12:{}str "
                  "ownerReferences=13:[]OwnerReference finalizers=14:[]str managedFields=17:[]ManagedFieldsEntry",
    "OwnerReference": "kind=1:str name=3:str uid=4:str apiVersion=5:str controller=6:bool? "
                      "blockOwnerDeletion=7:bool?",
    "ManagedFieldsEntry": "manager=1:str operation=2:str apiVersion=3:str time=4:Time? fieldsType=6:str "
                          "fieldsV1=7:FieldsV1? subresource=8:str",
    "LabelSelector": "matchLabels=1:{}str matchExpressions=2:[]LabelSelectorRequirement",
    "LabelSelectorRequirement": "key=1:str operator=2:str values=3:[]str",
    "DeleteOptions": "gracePeriodSeconds=1:int? preconditions=2:Preconditions? orphanDependents=3:bool? "
                     "propagationPolicy=4:str? dryRun=5:[]str",
    "Preconditions": "uid=1:str? resourceVersion=2:str?",
    "Condition": "type=1:str status=2:str observedGeneration=3:int lastTransitionTime=4:Time reason=5:str "
                 "message=6:str",
    # --- core/v1: objects ----------------------------------------------------------------------
    "Secret": "metadata=1:ObjectMeta data=2:{}bytes type=3:str stringData=4:{}str immutable=5:bool?",
    "ConfigMap": "metadata=1:ObjectMeta data=2:{}str binaryData=3:{}bytes immutable=4:bool?",
    "Namespace": "metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus",
    "NamespaceSpec": "finalizers=1:[]str",
    "NamespaceStatus": "phase=1:str conditions=2:[]NamespaceCondition",
    "NamespaceCondition": "type=1:str status=2:str lastTransitionTime=4:Time reason=5:str message=6:str",
    "ServiceAccount": "metadata=1:ObjectMeta secrets=2:[]ObjectReference imagePullSecrets=3:[]LocalObjectReference "
                      "automountServiceAccountToken=4:bool?",
    "ObjectReference": "kind=1:str namespace=2:str name=3:str uid=4:str apiVersion=5:str resourceVersion=6:str "
                       "fieldPath=7:str",
    "LocalObjectReference": "name=1:str",
    "TypedLocalObjectReference": "apiGroup=1:str? kind=2:str name=3:str",
    "Service": "metadata=1:ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus",
    "ServiceSpec": "ports=1:[]ServicePort selector=2:{}str clusterIP=3:str type=4:str externalIPs=5:[]str "
                   "sessionAffinity=7:str loadBalancerIP=8:str loadBalancerSourceRanges=9:[]str externalName=10:str "
                   "externalTrafficPolicy=11:str healthCheckNodePort=12:int publishNotReadyAddresses=13:bool "
                   "sessionAffinityConfig=14:SessionAffinityConfig? ipFamilyPolicy=17:str? clusterIPs=18:[]str "
                   "ipFamilies=19:[]str allocateLoadBalancerNodePorts=20:bool? loadBalancerClass=21:str? "
                   "internalTrafficPolicy=22:str? trafficDistribution=23:str?",
    "ServicePort": "name=1:str protocol=2:str port=3:int targetPort=4:IntOrString nodePort=5:int appProtocol=6:str?",
    "SessionAffinityConfig": "clientIP=1:ClientIPConfig?",
    "ClientIPConfig": "timeoutSeconds=1:int?",
    "ServiceStatus": "loadBalancer=1:LoadBalancerStatus conditions=2:[]Condition",
    "LoadBalancerStatus": "ingress=1:[]LoadBalancerIngress",
    "LoadBalancerIngress": "ip=1:str hostname=2:str ipMode=3:str?",
    "Pod": "metadata=1:ObjectMeta spec=2:PodSpec status=3:PodStatus",
    "PodStatus": "phase=1:str message=3:str reason=4:str hostIP=5:str podIP=6:str startTime=7:Time? "
                 "qosClass=9:str nominatedNodeName=11:str",
    "ResourceQuota": "metadata=1:ObjectMeta spec=2:ResourceQuotaSpec status=3:ResourceQuotaStatus",
    "ResourceQuotaSpec": "hard=1:{}Quantity scopes=2:[]str scopeSelector=3:ScopeSelector?",
    "ResourceQuotaStatus": "hard=1:{}Quantity used=2:{}Quantity",
    "ScopeSelector": "matchExpressions=1:[]ScopedResourceSelectorRequirement",
    "ScopedResourceSelectorRequirement": "scopeName=1:str operator=2:str values=3:[]str",
    "PersistentVolumeClaim": "metadata=1:ObjectMeta spec=2:PersistentVolumeClaimSpec "
                             "status=3:PersistentVolumeClaimStatus",
    "PersistentVolumeClaimSpec": "accessModes=1:[]str resources=2:VolumeResourceRequirements volumeName=3:str "
                                 "selector=4:LabelSelector? storageClassName=5:str? volumeMode=6:str? "
                                 "dataSource=7:TypedLocalObjectReference? dataSourceRef=8:TypedObjectReference? "
                                 "volumeAttributesClassName=9:str?",
    "PersistentVolumeClaimStatus": "phase=1:str accessModes=2:[]str capacity=3:{}Quantity",
    "VolumeResourceRequirements": "limits=1:{}Quantity requests=2:{}Quantity",
    "TypedObjectReference": "apiGroup=1:str? kind=2:str name=3:str namespace=4:str?",
    # --- core/v1: the pod template -----------------------------------------------------------------
    "PodTemplateSpec": "metadata=1:ObjectMeta spec=2:PodSpec",
    "PodSpec": "volumes=1:[]Volume containers=2:[]Container restartPolicy=3:str terminationGracePeriodSeconds=4:int? "
               "activeDeadlineSeconds=5:int? dnsPolicy=6:str nodeSelector=7:{}str serviceAccountName=8:str "
               "serviceAccount=9:str nodeName=10:str hostNetwork=11:bool hostPID=12:bool hostIPC=13:bool "
               "securityContext=14:PodSecurityContext? imagePullSecrets=15:[]LocalObjectReference hostname=16:str "
               "subdomain=17:str affinity=18:Affinity? schedulerName=19:str initContainers=20:[]Container "
               "automountServiceAccountToken=21:bool? tolerations=22:[]Toleration hostAliases=23:[]HostAlias "
               "priorityClassName=24:str priority=25:int? dnsConfig=26:PodDNSConfig? shareProcessNamespace=27:bool? "
               "readinessGates=28:[]PodReadinessGate runtimeClassName=29:str? enableServiceLinks=30:bool? "
               "preemptionPolicy=31:str? overhead=32:{}Quantity topologySpreadConstraints=33:[]TopologySpreadConstraint "
               "setHostnameAsFQDN=35:bool? os=36:PodOS? hostUsers=37:bool? schedulingGates=38:[]PodSchedulingGate "
               "resources=40:ResourceRequirements? hostnameOverride=41:str?",
    "Container": "name=1:str image=2:str command=3:[]str args=4:[]str workingDir=5:str ports=6:[]ContainerPort "
                 "env=7:[]EnvVar resources=8:ResourceRequirements volumeMounts=9:[]VolumeMount livenessProbe=10:Probe? "
                 "readinessProbe=11:Probe? lifecycle=12:Lifecycle? terminationMessagePath=13:str "
                 "imagePullPolicy=14:str securityContext=15:SecurityContext? stdin=16:bool stdinOnce=17:bool tty=18:bool "
                 "envFrom=19:[]EnvFromSource terminationMessagePolicy=20:str volumeDevices=21:[]VolumeDevice "
                 "startupProbe=22:Probe? resizePolicy=23:[]ContainerResizePolicy restartPolicy=24:str?",
    "ContainerPort": "name=1:str hostPort=2:int containerPort=3:int protocol=4:str hostIP=5:str",
    "ContainerResizePolicy": "resourceName=1:str restartPolicy=2:str",
    "EnvVar": "name=1:str value=2:str valueFrom=3:EnvVarSource?",
    "EnvVarSource": "fieldRef=1:ObjectFieldSelector? resourceFieldRef=2:ResourceFieldSelector? "
                    "configMapKeyRef=3:ConfigMapKeySelector? secretKeyRef=4:SecretKeySelector?",
    "ObjectFieldSelector": "apiVersion=1:str fieldPath=2:str",
    "ResourceFieldSelector": "containerName=1:str resource=2:str divisor=3:Quantity",
    "ConfigMapKeySelector": "_=1:LocalObjectReference key=2:str optional=3:bool?",
    "SecretKeySelector": "_=1:LocalObjectReference key=2:str optional=3:bool?",
    "EnvFromSource": "prefix=1:str configMapRef=2:ConfigMapEnvSource? secretRef=3:SecretEnvSource?",
    "ConfigMapEnvSource": "_=1:LocalObjectReference optional=2:bool?",
    "SecretEnvSource": "_=1:LocalObjectReference optional=2:bool?",
    "ResourceRequirements": "limits=1:{}Quantity requests=2:{}Quantity claims=3:[]ResourceClaim",
    "ResourceClaim": "name=1:str request=2:str",
    "Probe": "_=1:ProbeHandler initialDelaySeconds=2:int timeoutSeconds=3:int periodSeconds=4:int "
             "successThreshold=5:int failureThreshold=6:int terminationGracePeriodSeconds=7:int?",
    "ProbeHandler": "exec=1:ExecAction? httpGet=2:HTTPGetAction? tcpSocket=3:TCPSocketAction? grpc=4:GRPCAction?",
    "LifecycleHandler": "exec=1:ExecAction? httpGet=2:HTTPGetAction? tcpSocket=3:TCPSocketAction? "
                        "sleep=4:SleepAction?",
    "ExecAction": "command=1:[]str",
    "HTTPGetAction": "path=1:str port=2:IntOrString host=3:str scheme=4:str httpHeaders=5:[]HTTPHeader",
    "HTTPHeader": "name=1:str value=2:str",
    "TCPSocketAction": "port=1:IntOrString host=2:str",
    "GRPCAction": "port=1:int service=2:str?",
    "SleepAction": "seconds=1:int",
    "Lifecycle": "postStart=1:LifecycleHandler? preStop=2:LifecycleHandler? stopSignal=3:str?",
    "VolumeMount": "name=1:str readOnly=2:bool mountPath=3:str subPath=4:str mountPropagation=5:str? "
                   "subPathExpr=6:str recursiveReadOnly=7:str?",
    "VolumeDevice": "name=1:str devicePath=2:str",
    "SecurityContext": "capabilities=1:Capabilities? privileged=2:bool? seLinuxOptions=3:SELinuxOptions? "
                       "runAsUser=4:int? runAsNonRoot=5:bool? readOnlyRootFilesystem=6:bool? "
                       "allowPrivilegeEscalation=7:bool? runAsGroup=8:int? procMount=9:str? "
                       "windowsOptions=10:WindowsSecurityContextOptions? seccompProfile=11:SeccompProfile? "
                       "appArmorProfile=12:AppArmorProfile?",
    "PodSecurityContext": "seLinuxOptions=1:SELinuxOptions? runAsUser=2:int? runAsNonRoot=3:bool? "
                          "supplementalGroups=4:[]int fsGroup=5:int? runAsGroup=6:int? sysctls=7:[]Sysctl "
                          "windowsOptions=8:WindowsSecurityContextOptions? fsGroupChangePolicy=9:str? "
                          "seccompProfile=10:SeccompProfile? appArmorProfile=11:AppArmorProfile? "
                          "supplementalGroupsPolicy=12:str? seLinuxChangePolicy=13:str?",
    "Capabilities": "add=1:[]str drop=2:[]str",
    "SELinuxOptions": "user=1:str role=2:str type=3:str level=4:str",
    "WindowsSecurityContextOptions": "gmsaCredentialSpecName=1:str? gmsaCredentialSpec=2:str? runAsUserName=3:str? "
                                     "hostProcess=4:bool?",
    "SeccompProfile": "type=1:str localhostProfile=2:str?",
    "AppArmorProfile": "type=1:str localhostProfile=2:str?",
    "Sysctl": "name=1:str value=2:str",
    "Volume": "name=1:str _=2:VolumeSource",
    "VolumeSource": "hostPath=1:HostPathVolumeSource? emptyDir=2:EmptyDirVolumeSource? secret=6:SecretVolumeSource? "
                    "nfs=7:NFSVolumeSource? persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource? "
                    "downwardAPI=16:DownwardAPIVolumeSource? configMap=19:ConfigMapVolumeSource? "
                    "projected=26:ProjectedVolumeSource? csi=28:CSIVolumeSource? ephemeral=29:EphemeralVolumeSource? "
                    "image=30:ImageVolumeSource?",
    "HostPathVolumeSource": "path=1:str type=2:str?",
    "EmptyDirVolumeSource": "medium=1:str sizeLimit=2:Quantity?",
    "SecretVolumeSource": "secretName=1:str items=2:[]KeyToPath defaultMode=3:int? optional=4:bool?",
    "ConfigMapVolumeSource": "_=1:LocalObjectReference items=2:[]KeyToPath defaultMode=3:int? optional=4:bool?",
    "KeyToPath": "key=1:str path=2:str mode=3:int?",
    "NFSVolumeSource": "server=1:str path=2:str readOnly=3:bool",
    "PersistentVolumeClaimVolumeSource": "claimName=1:str readOnly=2:bool",
    "DownwardAPIVolumeSource": "items=1:[]DownwardAPIVolumeFile defaultMode=2:int?",
    "DownwardAPIVolumeFile": "path=1:str fieldRef=2:ObjectFieldSelector? resourceFieldRef=3:ResourceFieldSelector? "
                             "mode=4:int?",
    "ProjectedVolumeSource": "sources=1:[]VolumeProjection defaultMode=2:int?",
    "VolumeProjection": "secret=1:SecretProjection? downwardAPI=2:DownwardAPIProjection? "
                        "configMap=3:ConfigMapProjection? serviceAccountToken=4:ServiceAccountTokenProjection?",
    "SecretProjection": "_=1:LocalObjectReference items=2:[]KeyToPath optional=4:bool?",
    "ConfigMapProjection": "_=1:LocalObjectReference items=2:[]KeyToPath optional=4:bool?",
    "DownwardAPIProjection": "items=1:[]DownwardAPIVolumeFile",
    "ServiceAccountTokenProjection": "audience=1:str expirationSeconds=2:int? path=3:str",
    "CSIVolumeSource": "driver=1:str readOnly=2:bool? fsType=3:str? volumeAttributes=4:{}str "
                       "nodePublishSecretRef=5:LocalObjectReference?",
    "EphemeralVolumeSource": "volumeClaimTemplate=1:PersistentVolumeClaimTemplate?",
    "PersistentVolumeClaimTemplate": "metadata=1:ObjectMeta spec=2:PersistentVolumeClaimSpec",
    "ImageVolumeSource": "reference=1:str pullPolicy=2:str",
    "Affinity": "nodeAffinity=1:NodeAffinity? podAffinity=2:PodAffinity? podAntiAffinity=3:PodAntiAffinity?",
    "NodeAffinity": "requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector? "
                    "preferredDuringSchedulingIgnoredDuringExecution=2:[]PreferredSchedulingTerm",
    "NodeSelector": "nodeSelectorTerms=1:[]NodeSelectorTerm",
    "NodeSelectorTerm": "matchExpressions=1:[]NodeSelectorRequirement matchFields=2:[]NodeSelectorRequirement",
    "NodeSelectorRequirement": "key=1:str operator=2:str values=3:[]str",
    "PreferredSchedulingTerm": "weight=1:int preference=2:NodeSelectorTerm",
    "PodAffinity": "requiredDuringSchedulingIgnoredDuringExecution=1:[]PodAffinityTerm "
                   "preferredDuringSchedulingIgnoredDuringExecution=2:[]WeightedPodAffinityTerm",
    "PodAntiAffinity": "requiredDuringSchedulingIgnoredDuringExecution=1:[]PodAffinityTerm "
                       "preferredDuringSchedulingIgnoredDuringExecution=2:[]WeightedPodAffinityTerm",
    "PodAffinityTerm": "labelSelector=1:LabelSelector? namespaces=2:[]str topologyKey=3:str "
                       "namespaceSelector=4:LabelSelector? matchLabelKeys=5:[]str mismatchLabelKeys=6:[]str",
    "WeightedPodAffinityTerm": "weight=1:int podAffinityTerm=2:PodAffinityTerm",
    "Toleration": "key=1:str operator=2:str value=3:str effect=4:str tolerationSeconds=5:int?",
    "TopologySpreadConstraint": "maxSkew=1:int topologyKey=2:str whenUnsatisfiable=3:str "
                                "labelSelector=4:LabelSelector? minDomains=5:int? nodeAffinityPolicy=6:str? "
                                "nodeTaintsPolicy=7:str? matchLabelKeys=8:[]str",
    "HostAlias": "ip=1:str hostnames=2:[]str",
    "PodDNSConfig": "nameservers=1:[]str searches=2:[]str options=3:[]PodDNSConfigOption",
    "PodDNSConfigOption": "name=1:str value=2:str?",
    "PodReadinessGate": "conditionType=1:str",
    "PodOS": "name=1:str",
    "PodSchedulingGate": "name=1:str",
    # --- apps/v1 -------------------------------------------------------------------------------
    "Deployment": "metadata=1:ObjectMeta spec=2:DeploymentSpec status=3:DeploymentStatus",
    "DeploymentSpec": "replicas=1:int? selector=2:LabelSelector? template=3:PodTemplateSpec "
                      "strategy=4:DeploymentStrategy minReadySeconds=5:int revisionHistoryLimit=6:int? paused=7:bool "
                      "progressDeadlineSeconds=9:int?",
    "DeploymentStrategy": "type=1:str rollingUpdate=2:RollingUpdateDeployment?",
    "RollingUpdateDeployment": "maxUnavailable=1:IntOrString? maxSurge=2:IntOrString?",
    "DeploymentStatus": "observedGeneration=1:int replicas=2:int updatedReplicas=3:int availableReplicas=4:int "
                        "unavailableReplicas=5:int conditions=6:[]DeploymentCondition readyReplicas=7:int "
                        "collisionCount=8:int? terminatingReplicas=9:int?",
    "DeploymentCondition": "type=1:str status=2:str reason=4:str message=5:str lastUpdateTime=6:Time "
                           "lastTransitionTime=7:Time",
    "StatefulSet": "metadata=1:ObjectMeta spec=2:StatefulSetSpec status=3:StatefulSetStatus",
    "StatefulSetSpec": "replicas=1:int? selector=2:LabelSelector? template=3:PodTemplateSpec "
                       "volumeClaimTemplates=4:[]PersistentVolumeClaim serviceName=5:str podManagementPolicy=6:str "
                       "updateStrategy=7:StatefulSetUpdateStrategy revisionHistoryLimit=8:int? minReadySeconds=9:int "
                       "persistentVolumeClaimRetentionPolicy=10:StatefulSetPersistentVolumeClaimRetentionPolicy? "
                       "ordinals=11:StatefulSetOrdinals?",
    "StatefulSetUpdateStrategy": "type=1:str rollingUpdate=2:RollingUpdateStatefulSetStrategy?",
    "RollingUpdateStatefulSetStrategy": "partition=1:int? maxUnavailable=2:IntOrString?",
    "StatefulSetPersistentVolumeClaimRetentionPolicy": "whenDeleted=1:str whenScaled=2:str",
    "StatefulSetOrdinals": "start=1:int",
    "StatefulSetStatus": "observedGeneration=1:int replicas=2:int readyReplicas=3:int currentReplicas=4:int "
                         "updatedReplicas=5:int currentRevision=6:str updateRevision=7:str collisionCount=9:int? "
                         "availableReplicas=11:int",
    "DaemonSet": "metadata=1:ObjectMeta spec=2:DaemonSetSpec status=3:DaemonSetStatus",
    "DaemonSetSpec": "selector=1:LabelSelector? template=2:PodTemplateSpec updateStrategy=3:DaemonSetUpdateStrategy "
                     "minReadySeconds=4:int revisionHistoryLimit=6:int?",
    "DaemonSetUpdateStrategy": "type=1:str rollingUpdate=2:RollingUpdateDaemonSet?",
    "RollingUpdateDaemonSet": "maxUnavailable=1:IntOrString? maxSurge=2:IntOrString?",
    "DaemonSetStatus": "currentNumberScheduled=1:int numberMisscheduled=2:int desiredNumberScheduled=3:int "
                       "numberReady=4:int observedGeneration=5:int updatedNumberScheduled=6:int "
                       "numberAvailable=7:int numberUnavailable=8:int collisionCount=9:int?",
    "ReplicaSet": "metadata=1:ObjectMeta spec=2:ReplicaSetSpec status=3:ReplicaSetStatus",
    "ReplicaSetSpec": "replicas=1:int? selector=2:LabelSelector? template=3:PodTemplateSpec minReadySeconds=4:int",
    "ReplicaSetStatus": "replicas=1:int fullyLabeledReplicas=2:int observedGeneration=3:int readyReplicas=4:int "
                        "availableReplicas=5:int terminatingReplicas=7:int?",
    # --- batch/v1 ------------------------------------------------------------------------------
    "Job": "metadata=1:ObjectMeta spec=2:JobSpec status=3:JobStatus",
    "JobSpec": "parallelism=1:int? completions=2:int? activeDeadlineSeconds=3:int? selector=4:LabelSelector? "
               "manualSelector=5:bool? template=6:PodTemplateSpec backoffLimit=7:int? ttlSecondsAfterFinished=8:int? "
               "completionMode=9:str? suspend=10:bool? backoffLimitPerIndex=12:int? maxFailedIndexes=13:int? "
               "podReplacementPolicy=14:str? managedBy=15:str?",
    "JobStatus": "startTime=2:Time? completionTime=3:Time? active=4:int succeeded=5:int failed=6:int "
                 "completedIndexes=7:str ready=9:int? terminating=11:int?",
    "CronJob": "metadata=1:ObjectMeta spec=2:CronJobSpec status=3:CronJobStatus",
    "CronJobSpec": "schedule=1:str startingDeadlineSeconds=2:int? concurrencyPolicy=3:str suspend=4:bool? "
                   "jobTemplate=5:JobTemplateSpec successfulJobsHistoryLimit=6:int? failedJobsHistoryLimit=7:int? "
                   "timeZone=8:str?",
    "JobTemplateSpec": "metadata=1:ObjectMeta spec=2:JobSpec",
    "CronJobStatus": "active=1:[]ObjectReference lastScheduleTime=4:Time? lastSuccessfulTime=5:Time?",
    # --- rbac.authorization.k8s.io/v1 ----------------------------------------------------------
    "Role": "metadata=1:ObjectMeta rules=2:[]PolicyRule",
    "ClusterRole": "metadata=1:ObjectMeta rules=2:[]PolicyRule aggregationRule=3:AggregationRule?",
    "AggregationRule": "clusterRoleSelectors=1:[]LabelSelector",
    "PolicyRule": "verbs=1:[]str apiGroups=2:[]str resources=3:[]str resourceNames=4:[]str nonResourceURLs=5:[]str",
    "RoleBinding": "metadata=1:ObjectMeta subjects=2:[]Subject roleRef=3:RoleRef",
    "ClusterRoleBinding": "metadata=1:ObjectMeta subjects=2:[]Subject roleRef=3:RoleRef",
    "Subject": "kind=1:str apiGroup=2:str name=3:str namespace=4:str",
    "RoleRef": "apiGroup=1:str kind=2:str name=3:str",
    # --- policy/v1 -----------------------------------------------------------------------------
    "PodDisruptionBudget": "metadata=1:ObjectMeta spec=2:PodDisruptionBudgetSpec status=3:PodDisruptionBudgetStatus",
    "PodDisruptionBudgetSpec": "minAvailable=1:IntOrString? selector=2:LabelSelector? maxUnavailable=3:IntOrString? "
                               "unhealthyPodEvictionPolicy=4:str?",
    "PodDisruptionBudgetStatus": "observedGeneration=1:int disruptedPods=2:{}Time disruptionsAllowed=3:int "
                                 "currentHealthy=4:int desiredHealthy=5:int expectedPods=6:int "
                                 "conditions=7:[]Condition",
    # --- networking.k8s.io/v1 ------------------------------------------------------------------
    "Ingress": "metadata=1:ObjectMeta spec=2:IngressSpec status=3:IngressStatus",
    "IngressSpec": "defaultBackend=1:IngressBackend? tls=2:[]IngressTLS rules=3:[]IngressRule "
                   "ingressClassName=4:str?",
    "IngressBackend": "resource=3:TypedLocalObjectReference? service=4:IngressServiceBackend?",
    "IngressServiceBackend": "name=1:str port=2:ServiceBackendPort",
    "ServiceBackendPort": "name=1:str number=2:int",
    "IngressTLS": "hosts=1:[]str secretName=2:str",
    "IngressRule": "host=1:str _=2:IngressRuleValue",
    "IngressRuleValue": "http=1:HTTPIngressRuleValue?",
    "HTTPIngressRuleValue": "paths=1:[]HTTPIngressPath",
    "HTTPIngressPath": "path=1:str backend=2:IngressBackend pathType=3:str?",
    "IngressStatus": "loadBalancer=1:IngressLoadBalancerStatus",
    "IngressLoadBalancerStatus": "ingress=1:[]IngressLoadBalancerIngress",
    "IngressLoadBalancerIngress": "ip=1:str hostname=2:str",
    # --- scheduling.k8s.io/v1 ------------------------------------------------------------------
    "PriorityClass": "metadata=1:ObjectMeta value=2:int globalDefault=3:bool description=4:str "
                     "preemptionPolicy=5:str?",
}

# (apiVersion, kind) a request body may carry → its message.
KINDS: dict[tuple[str, str], str] = {
    ("v1", kind): kind for kind in ("Secret", "ConfigMap", "Namespace", "ServiceAccount", "Service", "Pod",
                                     "ResourceQuota", "PersistentVolumeClaim")
} | {
    ("apps/v1", kind): kind for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
} | {
    ("batch/v1", "Job"): "Job", ("batch/v1", "CronJob"): "CronJob",
    ("policy/v1", "PodDisruptionBudget"): "PodDisruptionBudget",
    ("networking.k8s.io/v1", "Ingress"): "Ingress",
    ("scheduling.k8s.io/v1", "PriorityClass"): "PriorityClass",
} | {
    ("rbac.authorization.k8s.io/v1", kind): kind for kind in ("Role", "ClusterRole", "RoleBinding",
                                                                "ClusterRoleBinding")
}

SCALARS = frozenset({"str", "int", "bool", "bytes"})
WELL_KNOWN = frozenset({"Time", "Quantity", "IntOrString", "FieldsV1"})


@dataclass(frozen=True)
class FieldSpec:
    """One field: its JSON name (``_`` for an embedded struct), wire number, element type, shape."""

    json: str
    number: int
    type: str  # a scalar, a well-known type or a message name
    repeated: bool = False
    is_map: bool = False
    pointer: bool = False


def _parse_fields(message: str, spec: str) -> tuple[FieldSpec, ...]:
    fields = []
    for entry in spec.split():
        name, _, rest = entry.partition("=")
        number, _, type_ = rest.partition(":")
        pointer = type_.endswith("?")
        type_ = type_.rstrip("?")
        repeated, is_map = type_.startswith("[]"), type_.startswith("{}")
        type_ = type_[2:] if repeated or is_map else type_
        if type_ not in SCALARS and type_ not in WELL_KNOWN and type_ not in _SCHEMA:
            raise ValueError(f"protobuf schema: {message}.{name} has unknown type {type_!r}")
        fields.append(FieldSpec(name, int(number), type_, repeated, is_map, pointer))
    # Go's marshallers write fields in ascending number order; the encoder follows this order.
    return tuple(sorted(fields, key=lambda f: f.number))


MESSAGES: dict[str, tuple[FieldSpec, ...]] = {name: _parse_fields(name, spec) for name, spec in _SCHEMA.items()}


def fields_of(message: str) -> tuple[FieldSpec, ...]:
    """The fields of ``message`` in wire order (``KeyError`` for a message not in the table)."""
    return MESSAGES[message]
