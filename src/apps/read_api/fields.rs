//! The contact fields a connection may read, as the Read API names them.
//! The team chooses them per connection; `id` is always included.

/// One readable field of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadField {
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Tags,
    Company,
    BusinessId,
    Source,
    Type,
    Assignee,
    DateAdded,
    DateUpdated,
    Address,
    Website,
    Timezone,
    Dnd,
    CustomFields,
}

impl ReadField {
    /// Every field, in the order answers and forms list them.
    pub const ALL: [ReadField; 18] = [
        ReadField::Name,
        ReadField::FirstName,
        ReadField::LastName,
        ReadField::Email,
        ReadField::Phone,
        ReadField::Tags,
        ReadField::Company,
        ReadField::BusinessId,
        ReadField::Source,
        ReadField::Type,
        ReadField::Assignee,
        ReadField::DateAdded,
        ReadField::DateUpdated,
        ReadField::Address,
        ReadField::Website,
        ReadField::Timezone,
        ReadField::Dnd,
        ReadField::CustomFields,
    ];

    /// What a new connection reads: enough to recognise and reach a person.
    pub const DEFAULT: [ReadField; 9] = [
        ReadField::Name,
        ReadField::Email,
        ReadField::Phone,
        ReadField::Tags,
        ReadField::Company,
        ReadField::Source,
        ReadField::Assignee,
        ReadField::DateAdded,
        ReadField::Address,
    ];

    /// The field's name in answers, and in the stored list.
    pub fn key(self) -> &'static str {
        match self {
            ReadField::Name => "name",
            ReadField::FirstName => "firstName",
            ReadField::LastName => "lastName",
            ReadField::Email => "email",
            ReadField::Phone => "phone",
            ReadField::Tags => "tags",
            ReadField::Company => "company",
            ReadField::BusinessId => "businessId",
            ReadField::Source => "source",
            ReadField::Type => "type",
            ReadField::Assignee => "assignee",
            ReadField::DateAdded => "dateAdded",
            ReadField::DateUpdated => "dateUpdated",
            ReadField::Address => "address",
            ReadField::Website => "website",
            ReadField::Timezone => "timezone",
            ReadField::Dnd => "dnd",
            ReadField::CustomFields => "customFields",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.key() == key)
    }

    /// The known fields of a stored list, in [`ReadField::ALL`]'s order.
    pub fn from_stored(keys: &[String]) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|field| keys.iter().any(|key| key == field.key()))
            .collect()
    }
}

/// The names of `fields`, as stored and shown.
pub fn keys(fields: &[ReadField]) -> Vec<String> {
    fields.iter().map(|field| field.key().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_from_its_name() {
        for field in ReadField::ALL {
            assert_eq!(ReadField::from_key(field.key()), Some(field));
        }
        assert_eq!(ReadField::from_key("password"), None);
        assert_eq!(ReadField::from_key("Email"), None, "names are exact");
    }

    #[test]
    fn a_stored_list_keeps_known_fields_in_order() {
        let stored = ["phone", "retired", "email", "phone"].map(String::from);
        assert_eq!(
            ReadField::from_stored(&stored),
            [ReadField::Email, ReadField::Phone]
        );
    }
}
