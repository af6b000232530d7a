{#
Expand the name of the chart.
#}
{% define "mychart.name" -%}
{{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- enddefine %}

{#
Create a default fully qualified app name: <release>-<chart>, e.g. "mike-test-mychart".
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
#}
{% define "mychart.fullname" -%}
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
Labels on every object. Only "app" and "release" select pods: "chart" changes with every chart
version and must stay out of the pod template, or a chart-only upgrade would roll the pods.
#}
{% define "mychart.labels" -%}
app: {{ include("mychart.name", ctx) }}
chart: {{ Chart.Name }}-{{ Chart.Version | replace("+", "_") }}
release: {{ Release.Name }}
heritage: {{ Release.Service }}
{%- enddefine %}

{% define "mychart.selectorLabels" -%}
app: {{ include("mychart.name", ctx) }}
release: {{ Release.Name }}
{%- enddefine %}
