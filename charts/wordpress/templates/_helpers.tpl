{#
Expand the name of the chart.
#}
{% define "wordpress.name" -%}
{{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- enddefine %}

{#
<release>-wordpress, truncated to the 63 characters of a DNS label; just <release> when the
release name already contains the chart name.
#}
{% define "wordpress.fullname" -%}
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

{% define "wordpress.labels" -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") }}
{{ include("wordpress.selectorLabels", ctx) }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- enddefine %}

{% define "wordpress.selectorLabels" -%}
app.kubernetes.io/name: {{ include("wordpress.name", ctx) }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- enddefine %}

{#
The image reference, with the release-wide registry from global.imageRegistry.
#}
{% define "wordpress.image" -%}
{% set registry = Values.global.imageRegistry -%}
{{ (registry ~ "/") if registry else "" }}{{ Values.image.repository }}:{{ Values.image.tag | default(Chart.AppVersion) }}
{%- enddefine %}

{#
The database host: the mariadb subchart's Service when the subchart is part of the release
(Subcharts only holds the enabled ones), else externalDatabase.host, which is then required.
#}
{% define "wordpress.databaseHost" -%}
{% if Subcharts.mariadb -%}
{{ include("mariadb.fullname", Subcharts.mariadb) }}
{%- else -%}
{{ required("externalDatabase.host is required when the mariadb subchart is disabled", Values.externalDatabase.host) }}
{%- endif %}
{%- enddefine %}

{#
The Secret holding the database user's password under the key mariadb-password.
#}
{% define "wordpress.databaseSecretName" -%}
{% if Subcharts.mariadb -%}
{{ include("mariadb.fullname", Subcharts.mariadb) }}
{%- else -%}
{{ include("wordpress.fullname", ctx) }}-externaldb
{%- endif %}
{%- enddefine %}
