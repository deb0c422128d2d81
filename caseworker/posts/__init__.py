"""Public-welfare posts (公益性岗位): employers, posts, placements, attendance and the monthly
subsidy roster (payroll), with the rules of :mod:`caseworker.posts.rules`."""
