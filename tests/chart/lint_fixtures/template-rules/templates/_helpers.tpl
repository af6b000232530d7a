helpers are not rendered
