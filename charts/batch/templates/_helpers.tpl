{#
<release>-batch, truncated so that the generated names below stay within 63 characters.
#}
{% define "batch.fullname" -%}
{% if Values.fullnameOverride -%}
{{ Values.fullnameOverride | trunc(40) | trimSuffix("-") }}
{%- elif Chart.Name in Release.Name -%}
{{ Release.Name | trunc(40) | trimSuffix("-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ Chart.Name) | trunc(40) | trimSuffix("-") }}
{%- endif %}
{%- enddefine %}

{% define "batch.labels" -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") }}
app.kubernetes.io/name: {{ Chart.Name }}
app.kubernetes.io/instance: {{ Release.Name }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- enddefine %}
