"""The benchmark cases, one module per family; importing a module registers its cases."""
