"""helmlite.release"""
