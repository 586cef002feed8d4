import { Datagrid, EmailField, List, NumberField, SearchInput, Show, SimpleShowLayout, TextField, TextInput } from 'react-admin';

const filters = [<SearchInput key="q" source="q" alwaysOn />, <TextInput key="specialization" source="specialization" />];

export const DoctorList = () => (
  <List filters={filters} sort={{ field: 'id', order: 'ASC' }} perPage={25}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="id" />
      <TextField source="name" />
      <TextField source="specialization" />
      <TextField source="hospital" sortable={false} />
      <EmailField source="email" sortable={false} />
      <TextField source="phone" sortable={false} />
    </Datagrid>
  </List>
);

export const DoctorShow = () => (
  <Show>
    <SimpleShowLayout>
      <TextField source="name" />
      <TextField source="specialization" />
      <TextField source="hospital" />
      <EmailField source="email" />
      <TextField source="phone" />
      <TextField source="license_number" />
      <NumberField source="experience_years" />
      <TextField source="consultation_fee" />
      <TextField source="address" />
      <TextField source="availability" />
    </SimpleShowLayout>
  </Show>
);
