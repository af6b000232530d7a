{#
Expand the name of the chart.
#}
{% define "mariadb.name" -%}
{{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- enddefine %}

{#
<release>-mariadb, truncated to the 63 characters of a DNS label. The parent chart reaches it
through include("mariadb.fullname", Subcharts.mariadb) to find the database host.
#}
{% define "mariadb.fullname" -%}
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

{% define "mariadb.labels" -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") }}
{{ include("mariadb.selectorLabels", ctx) }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- enddefine %}

{% define "mariadb.selectorLabels" -%}
app.kubernetes.io/name: {{ include("mariadb.name", ctx) }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- enddefine %}

{#
The image reference, with the release-wide registry from global.imageRegistry.
#}
{% define "mariadb.image" -%}
{% set registry = Values.global.imageRegistry -%}
{{ (registry ~ "/") if registry else "" }}{{ Values.image.repository }}:{{ Values.image.tag | default(Chart.AppVersion) }}
{%- enddefine %}
