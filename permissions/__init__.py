"""Staff roles (岗位), assignments scoped to regions and agencies, and the mixins that enforce them."""
