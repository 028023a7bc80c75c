"""The demo company that `manage.py seed_demo` loads and `manage.py demo_logins` lists."""
