"""The desktop program (Qt Widgets): the only package that imports PySide6.

``app`` builds the application and the main window; ``tasks`` runs slow work off the GUI
thread; ``models`` holds the paged table models; ``views`` one module per screen; ``widgets``
small reusable pieces.  Rules live in the domain packages: widgets only call them.
"""
