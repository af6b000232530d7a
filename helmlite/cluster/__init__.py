"""helmlite.cluster"""
