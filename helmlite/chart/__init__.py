"""helmlite.chart"""
