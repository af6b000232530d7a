"""Micro-cases of Go template semantics, run through the real Helm and through helmlite.

``INCLUDE_CASES`` are template snippets: each becomes ``{{ define "case" }}…{{ end }}`` in
``templates/_case.tpl`` of a chart with ``VALUES``, and ``templates/out.yaml`` prints
``raw: {{ include "case" . | toJson }}``, so the exact text (white space, ``<no value>``) is
compared. ``FILE_CASES`` are whole chart files compared on the full ``helm template`` output.
Expected results live in ``gt_expected.json``, recorded from Helm v4.3.1 with
``python tests/render/gotemplate/gt_oracle.py`` (not by hand).
"""

from __future__ import annotations

VALUES = """\
str: hello
num: 80
flt: 1.5
big: 1000000
t: true
f: false
nul: null
emptys: ""
emptym: {}
emptyl: []
zero: 0
m: {b: 2, a: 1, c: {d: 4}}
l: [x, yy, z]
nested: {list: [{name: n1}, {name: n2}]}
mixed: [x, true, z]
"""

INCLUDE_CASES: list[tuple[str, str]] = [
    # 1.1 lexing, trim markers, comments
    ("trim-left", 'a  \n\t {{- "b" }}'),
    ("trim-right", '{{ "a" -}}  \n\n  b'),
    ("trim-cr", 'a: 1 \t\r\n\n   {{- "|" -}} \t\n\n  b'),
    ("trim-nbsp", 'a\u00a0{{- "|" }}'),
    ("minus-number", "{{-3}}"),
    ("trim-tab-newline", 'a {{-\t"x"\t-}} b|a {{-\n"x"\n-}} b'),
    ("comments", "a{{/* c */}}b{{- /* c2 */ -}}  c"),
    ("comment-multiline", "a{{/* line1\nline2 */}}b"),
    ("newlines-in-action", '{{ printf "%s-%s"\n  "a"\n  "b" }}'),
    ("raw-string", "{{ `line1\nline2` }}"),
    ("escapes", '{{ "tab\\there\\u00e9\\x41" }}'),
    ("char-constant", "{{ 'a' }} {{ printf \"%T\" 'a' }} {{ '\\n' }}"),
    ("numbers", "{{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 1e3 }} {{ 017 }} {{ -5 }} {{ +5 }} {{ .5 }}"),
    ("number-types", '{{ printf "%T %T %T %T %T %T %T" 1 1.0 "s" `r` true nil 0x10 }}'),
    ("float-literals", "{{ 0.1 }} {{ 100000.0 }} {{ 1000000.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ 1e21 }} {{ 3.0 }} {{ -0.5 }}"),
    # 1.2 pipelines
    ("pipe-last-arg", '{{ "x" | printf "%s-%s" "a" }}'),
    ("pipe-chain", '{{ "  Hi " | trim | upper | quote }}'),
    ("nested-calls", '{{ printf "%s=%d" (lower "K") (len "abc") }}'),
    ("pipe-into-eq", '{{ if .Values.str | eq "hello" }}Y{{ end }}'),
    ("paren-fields", '{{ (dict "a" (dict "b" 7)).a.b }}|{{ (.Values.m).a }}'),
    ("paren-missing-field", "[{{ (.Values.missing).a }}]"),
    ("var-from-missing-field", "{{ $x := .Values.missing }}[{{ $x.foo }}]"),
    # 1.3 dot and dollar
    ("with-dollar", "{{ with .Values.m }}{{ .a }}-{{ $.Values.str }}{{ end }}"),
    ("range-dollar", "{{ range .Values.l }}[{{ . }}:{{ $.Values.str }}]{{ end }}"),
    ("define-dollar", '{{ include "d-dollar" (dict "x" 1) }}'),
    ("template-arg", '{{ template "d-angle" "arg" }}|{{ template "d-angle" }}|{{ include "d-angle" "i" | upper }}'),
    ("template-pipeline", '{{ template "d-a" dict "a" 5 }}'),
    ("redeclare-dollar", "{{ range $ := list 1 }}{{ $ }}{{ end }}"),
    # 1.4 variables
    ("var-assign", "{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}"),
    ("var-shadow", '{{ $x := "outer" }}{{ if true }}{{ $x := "inner" }}{{ $x }}{{ end }}|{{ $x }}'),
    ("var-assign-in-range", "{{ $x := 0 }}{{ range .Values.l }}{{ $x = add $x 1 }}{{ end }}{{ $x }}"),
    ("var-range-scope", '{{ $v := "o" }}{{ range list 1 2 }}{{ $v := . }}{{ end }}{{ $v }}|{{ range list 1 2 }}{{ $v = . }}{{ end }}{{ $v }}'),
    ("var-if-decl", "{{ if $z := .Values.str }}{{ $z }}{{ end }}"),
    ("var-if-else", "{{ if $x := .Values.missing }}T{{ else }}F[{{ $x }}]{{ end }}"),
    ("var-with-assign", "{{ $x := 0 }}{{ with $y := 5 }}{{ $x = $y }}{{ end }}{{ $x }}"),
    ("var-undeclared-assign", "{{ $y = 1 }}"),
    ("var-pipe", '{{ $x := "a" | upper }}{{ $x }}'),
    # 1.5 range
    ("range-index", "{{ range $i, $v := .Values.l }}{{ $i }}={{ $v }};{{ end }}"),
    ("range-one-var", "{{ range $v := .Values.l }}{{ $v }};{{ end }}"),
    ("range-map", "{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}"),
    ("range-map-dot", "{{ range .Values.m }}{{ . }};{{ end }}"),
    ("range-key-order", '{{ range $k, $v := dict "10" 1 "9" 2 "a" 3 "B" 4 }}{{ $k }},{{ end }}'),
    ("range-int", "{{ range 3 }}{{ . }}{{ end }}|{{ range $i := 3 }}{{ $i }}{{ end }}|{{ range 0 }}x{{ else }}none{{ end }}"),
    ("range-int-two-vars", "{{ range $i, $j := 3 }}{{ end }}"),
    ("range-string", '{{ range "abc" }}{{ end }}'),
    ("range-float", "{{ range .Values.num }}{{ end }}"),
    ("range-else", "{{ range .Values.emptyl }}x{{ else }}empty{{ end }}|{{ range .Values.missing }}x{{ else }}none{{ end }}"),
    ("range-break-continue",
     "{{ range $i, $v := until 10 }}{{ if eq $v 2 }}{{ continue }}{{ end }}{{ if eq $v 5 }}{{ break }}{{ end }}{{ $v }}{{ end }}"),
    ("range-nested-break",
     "{{ range $i := until 3 }}{{ range $j := until 3 }}{{ if eq $j 1 }}{{ break }}{{ end }}{{ $i }}{{ $j }} {{ end }}{{ end }}"),
    ("range-evaluates-once", "{{ $l := list 1 2 }}{{ range $l }}{{ $l = append $l 9 }}{{ . }}{{ end }}|{{ $l }}"),
    ("range-assign-vars", "{{ $i := 0 }}{{ $v := 0 }}{{ range $i, $v = list 7 8 }}{{ end }}{{ $i }}/{{ $v }}"),
    # 1.6 if / with
    ("if-else-if", '{{ if eq .Values.str "x" }}A{{ else if eq .Values.str "hello" }}B{{ else }}C{{ end }}'),
    ("with-else-dot", "{{ with .Values.missing }}has{{ else }}none:{{ . | kindOf }}{{ end }}"),
    ("else-with", "{{ with .Values.missing }}A{{ else with .Values.str }}B:{{ . }}{{ else }}C{{ end }}"),
    ("with-empty-string", "{{ with .Values.emptys }}has{{ else }}[{{ .Values.str }}]{{ end }}"),
    ("block", '{{ block "blk" . }}default {{ .Values.str }}{{ end }}'),
    # 1.7 truthiness
    ("truthiness",
     ('{{ range $k := list "str" "num" "flt" "t" "f" "nul" "emptys" "emptym" "emptyl" "zero" "missing" }}'
      "{{ $k }}:{{ if index $.Values $k }}T{{ else }}F{{ end }} {{ end }}")),
    # 1.8 and / or / not
    ("and-or", '{{ or "" "b" }}|{{ or 0 .Values.nul "" }}|{{ and 1 0 }}|{{ and 1 2 }}|{{ and "a" "" "c" }}|{{ or .Values.emptyl "x" }}'),
    ("short-circuit", '{{ and false (fail "boom") }}|{{ or true (fail "boom") }}'),
    ("short-circuit-nil", "{{ if and .Values.missing .Values.missing.x }}y{{ else }}n{{ end }}"),
    ("not", '{{ not 0 }} {{ not "" }} {{ not .Values.emptym }} {{ not "a" }}'),
    ("and-no-args", "{{ and }}"),
    ("not-two-args", "{{ not 1 2 }}"),
    ("and-piped", '{{ "x" | and 1 }}|{{ "" | or 0 }}'),
    # 1.9 comparison
    ("eq-multi", '{{ eq .Values.str "a" "hello" }} {{ eq "x" "a" "b" }}'),
    ("eq-float-int", "{{ eq .Values.num 80 }}"),
    ("eq-float-float", "{{ eq .Values.num 80.0 }} {{ eq (int .Values.num) 80 }}"),
    ("eq-ints", "{{ eq 1 1 }} {{ eq (add 1 1) 2 }} {{ eq (int64 2) (int 2) }} {{ eq (len .Values.l) 3 }}"),
    ("eq-string-int", '{{ eq "1" 1 }}'),
    ("eq-nil", '{{ eq .Values.nul nil }} {{ eq .Values.missing "" }} {{ ne .Values.missing "" }}'),
    ("eq-maps", "{{ eq .Values.m .Values.m }}"),
    ("eq-one-arg", "{{ eq 1 }}"),
    ("lt-float-int", "{{ lt .Values.num 100 }}"),
    ("compare-ok", '{{ ge .Values.num 79.5 }} {{ gt "b" "a" }} {{ le 2 2 }} {{ lt 1 2 }} {{ ne 1 2 }}'),
    ("lt-nil", "{{ lt .Values.missing 1 }}"),
    ("lt-bool", "{{ lt true false }}"),
    # 1.10 index, slice, len
    ("index", '{{ index .Values.m "a" }} {{ index .Values.m "c" "d" }} [{{ index .Values.m "zz" }}]'),
    ("index-multi", '{{ index .Values.nested.list 1 "name" }} {{ index (list (list 1 2) (list 3 4)) 1 0 }}'),
    ("index-out-of-range", "{{ index .Values.l 5 }}"),
    ("index-at-len", "{{ index .Values.l 3 }}"),
    ("index-nil", '{{ index .Values.missing "a" }}'),
    ("index-float", "{{ index .Values.l 1.0 }}"),
    ("index-string", '{{ index "abc" 0 }}'),
    ("slice-list", "{{ slice (list 1 2 3 4) 1 3 }}"),
    ("len", '{{ len .Values.l }} {{ len .Values.m }} {{ len "héllo" }}'),
    ("len-nil", "{{ len .Values.missing }}"),
    ("len-int", "{{ len 3 }}"),
    # 1.11 printing
    ("print", '{{ print "a" "b" }}|{{ print 1 2 }}|{{ print "a" 1 2 "b" }}|{{ print 1 "a" }}'),
    ("println", '{{ println "a" "b" }}|{{ println 1 }}'),
    ("printf-verbs",
     '{{ printf "%s|%d|%v|%q|%t|%x|%5.2f|%05d|%-4s|%+d|%o|%b|%e|%c|%U|%%" "s" 42 .Values.m `q"x` true 255 3.14159 7 "ab" 5 8 5 1234.5678 65 65 }}'),
    ("printf-values-numbers", '{{ printf "%d|%s|%v|%f|%g|%.0f" .Values.num .Values.num .Values.num .Values.num .Values.big .Values.big }}'),
    ("printf-missing-extra", '{{ printf "%s %s" "a" }}|{{ printf "%s" "a" "b" }}'),
    ("printf-nil", '{{ printf "%s|%v|%d" .Values.nul .Values.nul .Values.nul }}'),
    ("printf-lists", '{{ printf "%v|%s|%q" .Values.mixed .Values.mixed .Values.mixed }}'),
    ("printf-sharp", '{{ printf "%+v|%#v|%T" .Values.m .Values.l .Values.l }}'),
    ("printf-hex-string", '{{ printf "%x %X" "hi" "hi" }}'),
    ("printf-width", '{{ printf "[%5s][%-5s][%5d][%-5d][%.2s][%5.1f][%x][%X][%#x][%08.3f]" "ab" "ab" 42 42 "abcdef" 3.14159 -255 255 255 3.14159 }}'),
    ("printf-map-verb", '{{ printf "%s" .Values.m }}|{{ printf "%d" .Values.l }}'),
    ("print-values",
     "{{ .Values.t }} {{ .Values.f }} [{{ .Values.nul }}] {{ .Values.flt }} {{ .Values.emptym }} {{ .Values.emptyl }} {{ list }} {{ dict }} {{ list 1 \"a\" nil }}"),
    ("print-nested", '{{ printf "%v" .Values.nested }}'),
    ("print-big", "{{ .Values.big }} {{ toString .Values.big }} {{ quote .Values.big }} {{ .Values.big | toYaml }} {{ .Values.big | toJson }}"),
    ("html-js-urlquery",
     '{{ html `<a href="x">&\'` }}|{{ js `it\'s "q" <b>` }}|{{ urlquery "a b&c=d/é" }}|{{ html 1 2 }}|{{ js "\\n=" }}'),
    ("html-nil", "{{ html .Values.missing }}|{{ js nil }}"),
    # 1.12 numbers
    ("int-overflow", "{{ 9223372036854775808 }}"),
    ("nil-command", "{{ nil }}"),
    ("bad-field-type", "{{ .Values.str.foo }}"),
    # 1.13 missing keys
    ("missing", "[{{ .Values.missing }}] [{{ .Values.m.zz }}]"),
    ("missing-deeper", "[{{ .Values.missing.deeper }}]"),
    ("missing-as-args",
     '{{ printf "%v" .Values.missing }}|{{ .Values.missing | toString }}|{{ .Values.missing | default "d" }}|{{ .Values.missing | quote }}|{{ toYaml .Values.missing }}'),
    ("nul-deleted", '{{ hasKey .Values "nul" }}'),
    ("no-value-include", '{{ include "nv" . | quote }}|{{ include "nv" . | toJson }}|{{ include "nv" . | b64enc }}|{{ include "nv" . | len }}'),
    ("tpl-no-value", '{{ tpl "[{{ .Values.missing }}]" . }}'),
    # typed arguments
    ("wrong-type-float-int", '{{ trunc .Values.num "abc" }}'),
    ("wrong-type-nil-field", "{{ upper .Values.missing }}"),
    ("invalid-value-piped", "{{ .Values.missing | upper }}"),
    ("invalid-value-var", "{{ $x := .Values.missing }}{{ upper $x }}"),
    ("int64-to-int", '{{ trunc (add 1 2) "abcdef" }}'),
    ("expected-string", "{{ upper 5 }}"),
    ("expected-integer", '{{ trunc "2" "abc" }}'),
    ("integral-float-literal", '{{ trunc 2.0 "abc" }}'),
    ("nil-to-string", "{{ upper nil }}"),
    ("not-a-function", '{{ .Values.str "x" }}'),
    ("dot-not-function", '{{ . "x" }}'),
    ("map-field-args", '{{ .Values.m.a "x" }}'),
    # 1.14 define / template / include
    ("template-undefined", '{{ template "nope" . }}'),
    ("include-undefined", '{{ include "nope" . }}'),
    ("include-recursion", '{{ include "rec" 3 }}'),
    ("include-error-trace", '{{ include "bad" . }}'),
    ("include-required", '{{ include "req" . }}'),
    ("template-error", '{{ template "bad" . }}'),
    ("tpl-basic", '{{ tpl "{{ .x }}" (dict "x" 3) }}'),
    ("tpl-define", '{{ tpl "{{- define \\"tt\\" }}T{{ end }}[{{ include \\"tt\\" . }}]" . }}'),
    ("tpl-sees-defines", '{{ tpl "{{ include \\"d-angle\\" 1 }}" . }}'),
    ("tpl-template-name", '{{ tpl "{{ .Template.Name }}" . }}'),
    ("tpl-parse-error", '{{ tpl "{{ .x" . }}'),
    ("tpl-exec-error", '{{ tpl "{{ .x.y.z }}" . }}'),
    ("tpl-string-data", '{{ tpl "x" "y" }}'),
    ("required-ok", '{{ required "z" 0 }}|{{ required "z" false }}|{{ required "z" .Values.str }}'),
    ("required-missing", '{{ required "need x" .Values.x }}'),
    ("required-empty", '{{ required "need s" .Values.emptys }}'),
    ("fail", '{{ fail "custom failure" }}'),
    ("lookup", '{{ lookup "v1" "ConfigMap" "default" "x" }}|{{ (lookup "v1" "ConfigMap" "default" "x").data }}|{{ if lookup "v1" "Pod" "" "" }}y{{ else }}n{{ end }}'),
    # builtin objects
    ("release", "{{ .Release }}"),
    ("chart-object", "{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.IsRoot }} {{ .Chart.Nope }} {{ .Chart | toJson }}"),
    ("capabilities",
     '{{ .Capabilities.KubeVersion }}|{{ .Capabilities.KubeVersion.Version }}|{{ .Capabilities.KubeVersion.Major }}|{{ .Capabilities.KubeVersion.Minor }}|{{ .Capabilities.KubeVersion.GitVersion }}|{{ .Capabilities.HelmVersion }}|{{ .Capabilities.HelmVersion.Version }}'),
    ("capabilities-has", '{{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }} {{ .Capabilities.APIVersions.Has "policy/v1beta1" }} {{ len .Capabilities.APIVersions }}'),
    ("capabilities-printf", '{{ printf "%v" .Capabilities.KubeVersion }}|{{ toString .Capabilities.KubeVersion }}|{{ .Capabilities.KubeVersion | toJson }}'),
    ("semver-kube", '{{ semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion }}'),
    ("template-object", "{{ .Template.Name }} {{ .Template.BasePath }}"),
    ("root-keys", "{{ range $k, $v := . }}{{ $k }} {{ end }}"),
    ("types",
     "{{ typeOf . }} {{ typeOf .Values }} {{ typeOf .Values.m }} {{ typeOf .Release }} {{ typeOf .Chart }} {{ typeOf .Capabilities }} {{ typeOf .Files }} {{ typeOf .Template }} {{ typeOf .Values.l }} {{ typeOf .Values.num }} {{ typeOf .Release.Revision }}"),
    ("files",
     '{{ .Files.Get "files/a.txt" }}|{{ .Files.Get "nope" }}|{{ range $p, $_ := .Files.Glob "files/*" }}{{ $p }};{{ end }}|{{ .Files.Lines "files/a.txt" }}|{{ .Files.GetBytes "files/b.txt" }}'),
    ("files-config", '{{ (.Files.Glob "files/*").AsConfig }}|{{ (.Files.Glob "files/b*").AsSecrets }}'),
    # toYaml / toJson
    ("toyaml-scalars", '{{ toYaml "a\\nb" }}|{{ toYaml "true" }}|{{ toYaml "x: y" }}|{{ toYaml "" }}|{{ toYaml 1.5 }}|{{ toYaml nil }}|{{ toYaml "hello" }}'),
    ("toyaml-values", "{{ toYaml .Values }}"),
    ("toyaml-quoting",
     '{{ toYaml (list "true" "yes" "on" "off" "no" "y" "Y" "n" "NO" "True" "null" "Null" "~" "" "123" "1.5" "0755" "0x1F" "1e3" "0o17" ".inf" ".nan" "2001-12-14" "2024-01-01T00:00:00Z" "1:20" "08" "1_000" "-" "?" "a:b" "a#b" "-x" "a,b" "." "=" "it\'s" "say \\"hi\\"" "1.16.0" "héllo ☃" "a: b" "a:" "a #b" " lead" "trail " "&amp" "*star" "!x" "%x" "@x" "`x" "|x" ">x" "{a}" "[a]" "- x" "? x") }}'),
    ("toyaml-blocks",
     '{{ toYaml (dict "a" "l1\\nl2\\n" "b" "l1\\nl2" "c" "l1\\n\\n" "d" "  indented\\nx\\n" "e" "\\nx\\n" "f" "line1 \\nline2" "g" "a\\r\\nb" "h" "a\\tb\\nc\\n") }}'),
    ("toyaml-fold",
     '{{ toYaml (dict "longline" "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii jjjjjjjjjj" "word" (repeat 100 "x")) }}'),
    ("toyaml-key-order", '{{ toYaml (dict "a10" 1 "a2" 1 "a1" 1 "aB" 1 "ab" 1 "A" 1 "Z" 1 "_x" 1 "-x" 1 "9" 1 "09" 1 "10" 1 "a b" 1 "a-1" 1 "a.1" 1 "a_1" 1 "é" 1) }}'),
    ("toyaml-numbers", "{{ toYaml (list 80.0 1000000.0 12345678901234567890.0 1e20 1.5 0.000001 1e300 -0.0 1.0 3 0.1) }}"),
    ("toyaml-nested", '{{ toYaml (dict "list" (list (dict "name" "n1" "v" (list 1 2)) "x" (list)) "m" (dict) "e" "") }}'),
    ("tojson", '{{ toJson .Values }}|{{ toJson "<&>" }}|{{ toJson (list 1e21 1e-7 1e20 0.000001) }}'),
    ("toyaml-pretty", '{{ toYamlPretty (dict "list" (list "a" (dict "b" 1)) "f" 1000000.0 "s" "x\\ny") }}'),
    ("fromyaml", '{{ fromYaml "a: 1000000\\nb: [x]" }}|{{ (fromYaml "a: 1").a | typeOf }}|{{ fromYaml "- a" }}|{{ fromYamlArray "- a\\n- 2" }}'),
    ("fromjson", '{{ fromJson "{\\"a\\": 1}" }}|{{ fromJsonArray "[1, \\"a\\"]" }}|{{ fromJson "[1]" }}'),
    ("totoml", '{{ toToml (dict "a" 1 "b" (list 1.0 2.0) "s" "x" "t" (dict "k" "v")) }}'),
    ("fromtoml", '{{ fromToml "a = 1\\n[t]\\nk = \\"v\\"" }}|{{ (fromToml "a = 1").a | typeOf }}'),
    ("durations",
     '{{ durationSeconds "1m30s" }} {{ durationMilliseconds 2 }} {{ durationMinutes "90s" }} {{ mustToDuration "1h" }} {{ durationRoundTo "2h13m" "1h" }} {{ durationDays "48h" }}'),
    ("toyaml-fold-quoted",
     '{{ toYaml (dict "s" (print "\'lead " (repeat 12 "word1 word2 ") "end") "d" (print "tab\\t " (repeat 12 "word1 word2 ") "end") "k" (print (repeat 20 "k") ": x")) }}'),
    ("toyaml-special-chars",
     r'{{ toYaml (list "a\u2028b" "x\u0085y" "\ufeffab" "é\u00a0x" "\u0007bell" "a  b" "#x" "x #y" "x# y" "- " "key:" "@" "%") }}'),
    ("toyaml-long-key", r'{{ toYaml (dict (repeat 130 "k") 1 "a\nb" 2) }}'),
    ("toyaml-literal-indent",
     r'{{ toYaml (dict "n" (dict "s" "line1\n  line2\n\nline4\n" "t" "\n\nx")) | nindent 2 }}'),
    ("tojson-escapes", r'{{ toJson (list "a\"b\\c\n\t\u0001\u2028<>&é" 1.5 -0.0 1e300 nil true) }}'),
    ("toprettyjson", '{{ toPrettyJson (dict "b" (list 1 2) "a" (dict) "c" "<x>") }}|{{ toRawJson (dict "a" "<&>") }}'),
    ("totoml-nested",
     '{{ toToml (dict "z" 1.5 "a" (dict "b" (dict "c" "d") "k" 2) "arr" (list (dict "n" 1) (dict "n" 2)) "big" 1e21 "s" "q\\"x" "key with space" true "nil" nil) }}'),
    ("totoml-values", "{{ toToml .Values }}"),
    ("durations-more",
     '{{ durationSeconds 90 }} {{ durationSeconds "1.5" }} {{ durationSeconds "bad" }} {{ durationHours "90m" }} {{ durationWeeks "168h" }} {{ durationMicroseconds "1ms" }} {{ durationNanoseconds "1us" }} {{ durationTruncateTo "2h13m" "1h" }} {{ durationRoundTo "2h30m" "1h" }} {{ mustToDuration 90 }} {{ mustToDuration "1.5h" }} {{ typeOf (durationSeconds "1s") }} {{ typeOf (durationMilliseconds "1s") }}'),
    ("duration-error", '{{ mustToDuration "bogus" }}'),
    # mutation and sharing
    ("set-mutates", '{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }}'),
    ("values-mutation", '{{ $_ := set .Values "newkey" "v" }}{{ .Values.newkey }}'),
    ("merge-aliasing", '{{ $src := dict "n" (dict "x" 1) }}{{ $dst := merge (dict) $src }}{{ $_ := set $dst.n "x" 2 }}{{ $src.n.x }}'),
]

# Templates the include cases above call.
DEFINES = """\
{{- define "d-dollar" }}{{ $.x }}/{{ .x }}{{ end }}
{{- define "d-angle" }}<{{ . }}>{{ end }}
{{- define "d-a" }}<{{ .a }}>{{ end }}
{{- define "nv" }}{{ .Values.missing }}{{ end }}
{{- define "rec" }}{{ if gt (int .) 0 }}{{ . }}{{ include "rec" (sub . 1) }}{{ end }}{{ end }}
{{- define "bad" }}
  {{ .Values.missing.x }}{{ end }}
{{- define "req" }}{{ required "need y" .Values.y }}{{ end }}
"""

CHART_FILES = {
    "files/a.txt": "line1\nline2\n",
    "files/b.txt": "bee",
}

# Whole files: (id, {path: content}) rendered with `helm template r <chart>`; values.yaml defaults to VALUES.
FILE_CASES: list[tuple[str, dict[str, str]]] = [
    ("file-no-value", {"templates/t.yaml": "a: [{{ .Values.missing }}]\nb: [{{ .Values.m.zz }}]\n"}),
    ("file-literal-no-value", {"templates/t.yaml": "a: <no value>\n"}),
    ("file-parse-error-define", {"templates/t.yaml": '{{ if true }}{{ define "x" }}{{ end }}{{ end }}'}),
    ("file-parse-error-dup", {"templates/t.yaml": '{{ define "dup" }}a{{ end }}{{ define "dup" }}b{{ end }}'}),
    ("file-parse-error-line", {"templates/t.yaml": "a: 1\nb: 2\nc: {{ .Values.a-b }}\n"}),
    ("file-parse-error-unclosed", {"templates/t.yaml": "a: {{ .x\nb: 2\n"}),
    ("file-required", {"templates/t.yaml": 'a: {{ required "need x" .Values.x }}\n'}),
    ("file-nil-pointer", {"templates/t.yaml": "a: {{ .Values.missing.deeper }}\n"}),
    ("file-exec-order", {
        "templates/z.yaml": '{{- $_ := set .Values "fromz" "z" }}z: {{ .Values.fromz }}\n',
        "templates/m.yaml": "m: {{ .Values.fromz }}\n",
        "templates/a.yaml": "a: {{ .Values.fromz }}\n",
        "templates/sub/deep.yaml": "deep: {{ .Values.fromz }}\n",
    }),
    ("file-define-precedence", {
        "templates/_a.tpl": '{{ define "n" }}from-a{{ end }}',
        "templates/_b.tpl": '{{ define "n" }}from-b{{ end }}',
        "templates/_c.tpl": '{{ define "n" }}{{ end }}',
        "templates/t.yaml": 'n: {{ include "n" . }}\n',
    }),
    ("file-subchart", {
        "Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n",
        "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.2.0\n",
        "charts/sub/values.yaml": "own: 1\nshared: sub\n",
        "charts/sub/templates/cm.yaml": (
            "sub: {{ .Values.own }} {{ .Values.shared }} {{ .Values.global.g }} {{ .Chart.Name }} {{ .Chart.IsRoot }}"
            " {{ .Template.Name }} {{ .Template.BasePath }}\n"
        ),
        "templates/t.yaml": "root: {{ .Values.sub.own }} {{ .Subcharts.sub.Values.shared }} {{ .Subcharts.sub.Chart.Version }}\n",
        "values.yaml": "sub:\n  shared: parent\nglobal:\n  g: 7\n",
    }),
    ("file-library", {
        "Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: 0.1.0\n",
        "charts/lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
        "charts/lib/templates/_h.tpl": '{{ define "lib.h" }}from-lib {{ .Chart.Name }}{{ end }}',
        "charts/lib/templates/cm.yaml": "ignored: true\n",
        "templates/t.yaml": 'x: {{ include "lib.h" . }}\n',
    }),
    ("file-numbers", {
        "templates/t.yaml": "a: {{ .Values.big }}\nb: {{ .Values.num }}\nc: {{ .Values.setint }}\nd: {{ typeOf .Values.setint }}\n",
    }),
    ("file-notes-excluded", {
        "templates/NOTES.txt": "notes {{ .Values.str }}\n",
        "templates/t.yaml": "a: 1\n",
    }),
    ("file-include-in-tpl-define", {
        "templates/t.yaml": '{{ tpl "{{ define \\"local\\" }}L{{ end }}" . }}x: {{ include "local" . }}\n',
    }),
]

FILE_CASES += [
    ("file-parse-errors-comment", {"templates/t.yaml": "a{{ /* c */ }}b\n"}),
    ("file-parse-errors-comment-end", {"templates/t.yaml": 'a{{/* c */ "x" }}b\n'}),
    ("file-parse-errors-empty", {"templates/t.yaml": "{{ }}\n"}),
    ("file-parse-errors-minus", {"templates/t.yaml": '{{-"x"-}}\n'}),
    ("file-parse-errors-undefined-var", {"templates/t.yaml": "{{ range .Values.l }}{{ $y := . }}{{ end }}{{ $y }}\n"}),
    ("file-parse-errors-break", {"templates/t.yaml": "{{ if true }}{{ continue }}{{ end }}\n"}),
    ("file-parse-errors-else-if-range", {"templates/t.yaml": "{{ range .Values.missing }}x{{ else if true }}y{{ end }}\n"}),
    ("file-parse-errors-unterminated", {"templates/t.yaml": 'a: {{ "abc }}\n'}),
    ("file-parse-errors-eof", {"templates/t.yaml": "{{ if true }}x\n"}),
    ("file-parse-errors-end", {"templates/t.yaml": "x{{ end }}\n"}),
    ("file-parse-errors-paren", {"templates/t.yaml": "{{ (print 1 }}\n"}),
    ("file-parse-errors-rparen", {"templates/t.yaml": "{{ print 1) }}\n"}),
    ("file-parse-errors-pipe", {"templates/t.yaml": '{{ "a" | "b" }}\n'}),
    ("file-parse-errors-dot-term", {"templates/t.yaml": '{{ "a".b }}\n'}),
    ("file-parse-errors-number", {"templates/t.yaml": "{{ 0x }}\n{{ 1a }}\n"}),
    ("file-parse-errors-char", {"templates/t.yaml": "{{ 'ab' }}\n"}),
    ("file-parse-errors-range-decl", {"templates/t.yaml": "{{ range $a, $b, $c := .Values.l }}{{ end }}\n"}),
    ("file-exec-error-column-utf8", {"templates/t.yaml": "é: {{ .Values.missing.x }}\n"}),
    ("file-crlf", {"templates/t.yaml": "a: {{ .Values.str }}\r\nb: {{- \" x\" }}\r\n"}),
    ("file-bom", {"templates/t.yaml": "\ufeffa: {{ .Values.str }}\n"}),
    ("file-fail-multiline", {"templates/t.yaml": '{{ fail "\\nVALUES VALIDATION:\\nx: bad\\n" }}\n'}),
    ("file-capabilities-flags", {
        "templates/t.yaml": (
            "kube: {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Minor }}\n"
            "has: {{ .Capabilities.APIVersions.Has \"foo/v1\" }} {{ .Capabilities.APIVersions.Has \"foo/v1/Bar\" }}\n"
            "ns: {{ .Release.Namespace }} {{ .Release.IsUpgrade }} {{ .Release.IsInstall }}\n"
        ),
    }),
    ("file-helmignore-files", {
        ".helmignore": "secret.txt\n",
        "secret.txt": "hidden",
        "visible.txt": "shown",
        "templates/t.yaml": "a: {{ range $p, $_ := .Files }}{{ $p }},{{ end }}\nb: [{{ .Files.Get \"secret.txt\" }}]\n",
    }),
    ("file-chart-dependencies", {
        "Chart.yaml": (
            "apiVersion: v2\nname: c\nversion: 0.1.0\nappVersion: \"1.2\"\ndependencies:\n"
            "- name: sub\n  version: 0.1.0\n  alias: other\n  condition: other.enabled\n"
            "- name: dis\n  version: 0.1.0\n  condition: dis.enabled\n"
        ),
        "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        "charts/sub/templates/cm.yaml": "sub: {{ .Chart.Name }} {{ .Values.v }}\n",
        "charts/dis/Chart.yaml": "apiVersion: v2\nname: dis\nversion: 0.1.0\n",
        "charts/dis/templates/cm.yaml": "dis: {{ .Chart.Name }}\n",
        "values.yaml": "other:\n  v: 3\ndis:\n  enabled: false\n",
        "templates/t.yaml": "deps: {{ toJson .Chart.Dependencies }}\nsubcharts: {{ keys .Subcharts | sortAlpha }}\n",
    }),
    ("file-set-types", {
        "templates/t.yaml": (
            "a: {{ typeOf .Values.a }} {{ .Values.a }}\nb: {{ typeOf .Values.b }} {{ .Values.b }}\n"
            "c: {{ typeOf .Values.c }}\nd: {{ .Values.d | toJson }}\ne: {{ typeOf .Values.e }} {{ .Values.e }}\n"
        ),
    }),
    ("file-yaml11-values", {
        "values.yaml": "y: 1\non: 2\noct: 0755\nhex: 0x1F\ndate: 2024-01-01\nsexa: 1:20\nlist: [1, null, 2]\n",
        "templates/t.yaml": "a: {{ toJson .Values }}\nb: {{ .Values.oct }} {{ typeOf .Values.date }}\n",
    }),
]

# Extra `helm template` arguments per file case.
FILE_ARGS: dict[str, list[str]] = {
    "file-numbers": ["--set", "setint=1000000"],
    "file-capabilities-flags": ["--kube-version", "1.29.3", "--api-versions", "foo/v1", "--namespace", "ns1",
                                "--is-upgrade"],
    "file-set-types": ["--set", "a=5,b=1.5,c=true,e=0123", "--set-json", "d=[1,2.5]"],
}

CHART_YAML = "apiVersion: v2\nname: c\nversion: 0.1.0\n"


def include_case_files(tpl: str) -> dict[str, str]:
    """The chart of an include case: the snippet as the "case" define, printed through toJson."""
    return {
        "Chart.yaml": CHART_YAML,
        "values.yaml": VALUES,
        "templates/_defines.tpl": DEFINES,
        "templates/_case.tpl": '{{- define "case" }}' + tpl + "{{ end }}",
        "templates/out.yaml": 'raw: {{ include "case" . | toJson }}\n',
        **CHART_FILES,
    }


def file_case_files(files: dict[str, str]) -> dict[str, str]:
    """The chart of a file case: Chart.yaml and values.yaml unless the case brings its own."""
    return {"Chart.yaml": CHART_YAML, "values.yaml": VALUES, **files}
