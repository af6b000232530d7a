"""Template functions of the gotemplate dialect, one module per group, all registered in ``funcspec.REGISTRY``."""
