"""helmlite.actions"""
