"""helmlite.repo"""
