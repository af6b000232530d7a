"""helmlite.values"""
