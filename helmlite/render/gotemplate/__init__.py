"""The ``gotemplate`` dialect: Go text/template + Sprig + Helm's functions, rendering unmodified Helm charts.

    lexer, parser, nodes   Go's text/template/parse: tokens, trim markers, the parse tree, Go's errors
    exec                   the interpreter: Go's evaluation rules over helmlite's Go value model
    gotypes, objects       Go types Python lacks (int64, []string, common.Values…); Helm's objects
    yamlfmt                toYaml/toJson byte-identical to Helm (encoding/json, go-yaml v2/v3)
    funcspec, funcs/       the function registry: Go builtins, Sprig, Helm's own
    engine                 Helm's engine: the chart tree's namespace, render order, data model, errors
"""
