{#
<release>-autoscaled-web, truncated to the 63 characters of a DNS label.
#}
{% define "autoscaled-web.fullname" -%}
{% if Values.fullnameOverride -%}
{{ Values.fullnameOverride | trunc(63) | trimSuffix("-") }}
{%- elif Chart.Name in Release.Name -%}
{{ Release.Name | trunc(63) | trimSuffix("-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endif %}
{%- enddefine %}

{% define "autoscaled-web.labels" -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") }}
{{ include("autoscaled-web.selectorLabels", ctx) }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- enddefine %}

{#
Keep this selector apart from every other Deployment's: the HPA counts the pods it matches.
#}
{% define "autoscaled-web.selectorLabels" -%}
app.kubernetes.io/name: {{ Chart.Name }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- enddefine %}
