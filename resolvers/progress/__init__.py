"""Construction progress (施工进度): daily logs, site photos and check-ins."""
