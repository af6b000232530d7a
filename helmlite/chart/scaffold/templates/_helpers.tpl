{#
Expand the name of the chart.
#}
{% define "<CHARTNAME>.name" -%}
{{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- enddefine %}

{#
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
#}
{% define "<CHARTNAME>.fullname" -%}
{% if Values.fullnameOverride -%}
{{ Values.fullnameOverride | trunc(63) | trimSuffix("-") }}
{%- else -%}
{% set name = Values.nameOverride | default(Chart.Name) -%}
{% if name in Release.Name -%}
{{ Release.Name | trunc(63) | trimSuffix("-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ name) | trunc(63) | trimSuffix("-") }}
{%- endif %}
{%- endif %}
{%- enddefine %}

{#
Create chart name and version as used by the chart label.
#}
{% define "<CHARTNAME>.chart" -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") }}
{%- enddefine %}

{#
Common labels
#}
{% define "<CHARTNAME>.labels" -%}
helm.sh/chart: {{ include("<CHARTNAME>.chart", ctx) }}
{{ include("<CHARTNAME>.selectorLabels", ctx) }}
{% if Chart.AppVersion %}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
{% endif %}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- enddefine %}

{#
Selector labels
#}
{% define "<CHARTNAME>.selectorLabels" -%}
app.kubernetes.io/name: {{ include("<CHARTNAME>.name", ctx) }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- enddefine %}

{#
Create the name of the service account to use
#}
{% define "<CHARTNAME>.serviceAccountName" -%}
{% if Values.serviceAccount.create -%}
{{ Values.serviceAccount.name | default(include("<CHARTNAME>.fullname", ctx)) }}
{%- else -%}
{{ Values.serviceAccount.name | default("default") }}
{%- endif %}
{%- enddefine %}
