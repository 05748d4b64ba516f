"""The drawn layers of the 3D view, one thin adapter each (napari style).

Each layer owns its vispy visuals, subscribes to the viewer-state events it
depends on, and moves arrays into its visuals; :class:`viewer.vispy.skeleton_view.SkeletonView`
composes them and tells them the take and the frame to show.
"""
