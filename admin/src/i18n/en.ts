import englishMessages from 'ra-language-english';

/** Every text of the console in English: react-admin's own, then ours. A translation is a copy of this file. */
export const en = {
  ...englishMessages,
  hc: {
    title: 'Healthcare console',
    login: {
      identifier: 'Username or email',
      password: 'Password',
      code: 'Authentication code',
      code_help: 'The 6-digit code of your authenticator app',
      sign_in: 'Sign in',
      verify: 'Verify',
      failed: 'Sign-in failed: %{detail}',
    },
    errors: {
      stale_version: 'Someone changed this record since you opened it. Reload it to see their changes, then edit again.',
    },
    actions: { reload: 'Reload' },
    patients: {
      delete_title: 'Delete patient "%{name}"?',
      delete_content:
        'The patient disappears from the console and the API, its active assignments end and its future appointments are cancelled. The record itself is kept for retention (a soft delete).',
    },
  },
  resources: {
    patients: {
      name: 'Patient |||| Patients',
      fields: {
        id: 'Id',
        name: 'Name',
        email: 'Email',
        phone: 'Phone',
        date_of_birth: 'Date of birth',
        age: 'Age',
        gender: 'Gender',
        blood_group: 'Blood group',
        address: 'Address',
        emergency_contact: 'Emergency contact',
        medical_history: 'Medical history',
        clinic: 'Clinic',
        created_at: 'Created',
        updated_at: 'Updated',
        version: 'Version',
        q: 'Search',
      },
      gender: { male: 'Male', female: 'Female', other: 'Other' },
    },
    doctors: {
      name: 'Doctor |||| Doctors',
      fields: {
        id: 'Id',
        name: 'Name',
        specialization: 'Specialization',
        email: 'Email',
        phone: 'Phone',
        hospital: 'Hospital',
        license_number: 'License number',
        experience_years: 'Years of experience',
        consultation_fee: 'Consultation fee',
        address: 'Address',
        availability: 'Availability',
        created_at: 'Created',
        updated_at: 'Updated',
        q: 'Search',
      },
    },
  },
};
