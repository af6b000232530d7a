"""helmlite.semver"""
