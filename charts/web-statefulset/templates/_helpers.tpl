{% define "web-statefulset.labels" -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") }}
{{ include("web-statefulset.selectorLabels", ctx) }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- enddefine %}

{#
The tutorial selects its pods with app: nginx; the instance label keeps two releases apart.
#}
{% define "web-statefulset.selectorLabels" -%}
app: nginx
app.kubernetes.io/instance: {{ Release.Name }}
{%- enddefine %}
