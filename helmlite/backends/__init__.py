"""helmlite.backends"""
