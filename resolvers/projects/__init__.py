"""Project application and approval (项目申报与立项)."""
