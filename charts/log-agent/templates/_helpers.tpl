{#
<release>-log-agent, truncated to the 63 characters of a DNS label.
#}
{% define "log-agent.fullname" -%}
{% if Values.fullnameOverride -%}
{{ Values.fullnameOverride | trunc(63) | trimSuffix("-") }}
{%- elif Chart.Name in Release.Name -%}
{{ Release.Name | trunc(63) | trimSuffix("-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endif %}
{%- enddefine %}

{% define "log-agent.labels" -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") }}
{{ include("log-agent.selectorLabels", ctx) }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- enddefine %}

{% define "log-agent.selectorLabels" -%}
app.kubernetes.io/name: {{ Chart.Name }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- enddefine %}
